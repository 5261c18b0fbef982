"""Error handling for GraphQL: client errors shown with a code, the rest masked and logged."""

from __future__ import annotations

import logging

from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.types import ExecutionContext

from graph_service.errors import ClientError, GraphUnavailable
from graph_service.logs import request_id_var

log = logging.getLogger("graph_service.api")

UNEXPECTED = "Unexpected error"
UNEXPECTED_CODE = "INTERNAL_SERVER_ERROR"
GRAPH_UNAVAILABLE = "GRAPH_UNAVAILABLE"


def is_unexpected(error: GraphQLError) -> bool:
    """True for errors the client must not see: anything raised that is not a ClientError."""
    original = error.original_error
    # graphql-core wraps input coercion errors (a bad enum in variables) in a GraphQLError.
    return original is not None and not isinstance(original, ClientError | GraphQLError)


def log_errors(errors: list[GraphQLError], execution_context: ExecutionContext | None) -> None:
    """Log unexpected errors with their traceback; expected ones at debug level."""
    for error in errors:
        if isinstance(error.original_error, GraphUnavailable):
            # Expected during an outage, which the store has already logged once.
            log.info("graph unavailable in %s", ".".join(str(p) for p in error.path or ()))
        elif is_unexpected(error):
            original = error.original_error
            assert original is not None
            log.error(
                "unexpected error in %s",
                ".".join(str(part) for part in error.path or ()) or "operation",
                exc_info=(type(original), original, original.__traceback__),
                # On the record itself, so that any handler (not only ours) sees the id.
                extra={"request_id": request_id_var.get()},
            )
        else:
            log.debug("client error: %s", error.message)


class MaskUnexpectedErrors(MaskErrors):
    """Replace unexpected errors by 'Unexpected error' with the request id to quote."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message=UNEXPECTED)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        """The masked error: no message, no stack, only a code and the request id."""
        # The view answers 503 for the whole operation when the graph was unavailable.
        code = (
            GRAPH_UNAVAILABLE
            if isinstance(error.original_error, GraphUnavailable)
            else UNEXPECTED_CODE
        )
        return GraphQLError(
            message=self.error_message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": code, "requestId": request_id_var.get()},
        )
