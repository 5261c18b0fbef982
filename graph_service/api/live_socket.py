"""GraphQL over WebSocket (graphql-transport-ws): subscriptions only, coordinators only.

The token comes in the connection_init payload (``{"Authorization": "Bearer …"}``, as
GraphiQL sends its headers pane) or in the upgrade request's Authorization header. A missing
or invalid token, or one that is not a coordinator's, closes the socket with 4403 and is noted
as a security event like any other refusal. Queries and mutations are refused over the socket:
they go by POST, where their transactions, idempotency keys and audit are handled. Documents
pass the same limits as over HTTP (they are schema extensions); each caller's open
subscriptions are capped (live_streams.LiveStreams).
"""

from __future__ import annotations

import logging

from graphql import GraphQLError
from starlette.websockets import WebSocket
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.utils.aio import aclosing

from graph_service.api.context import Context
from graph_service.api.loaders import Loaders
from graph_service.auth import Authenticator, Principal, Role
from graph_service.errors import AuthenticationError
from graph_service.logs import request_id_var
from graph_service.security_events import SecurityEventKind

log = logging.getLogger(__name__)

REFUSED = "Forbidden"


def _authorization(context: Context) -> str | None:
    params = context.connection_params or {}
    sent = params.get("Authorization", params.get("authorization"))
    if isinstance(sent, str):
        return sent
    return context.request.headers.get("authorization")


def _note(context: Context, kind: SecurityEventKind, why: str, who: Principal | None) -> None:
    client = context.request.client.host if context.request.client else None
    context.services.security.note(kind, f"graphql websocket: {why}", principal=who, client=client)


def socket_context(websocket: WebSocket) -> Context:
    """The context of one WebSocket connection (its principal comes with connection_init)."""
    services = websocket.app.state.services
    # No read collection here: a subscription's reads are appended as they happen.
    return Context(
        request=websocket,
        request_id=request_id_var.get(),
        services=services,
        loaders=Loaders.build(services),
        authenticated=None,
        streams=websocket.app.state.streams,
    )


def admit(context: Context, authenticator: Authenticator) -> None:
    """Authenticate a connection_init; ConnectionRejectionError (4403) unless a coordinator."""
    try:
        principal = authenticator.authenticate(_authorization(context))
    except AuthenticationError as error:
        _note(context, SecurityEventKind.UNAUTHENTICATED, str(error), None)
        raise ConnectionRejectionError from None
    if principal.role is not Role.COORDINATOR:
        _note(context, SecurityEventKind.FORBIDDEN, "subscriptions are for coordinators", principal)
        raise ConnectionRejectionError
    context.authenticated = principal


class SubscriptionsOnly(BaseGraphQLTransportWSHandler[Context, None]):
    """strawberry's graphql-transport-ws handler, running subscription operations only."""

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        """Run one operation as a subscription (a query or mutation is refused with an error)."""
        try:
            source = await self.schema.subscribe(
                operation.query,
                variable_values=operation.variables,
                context_value=self.context,
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )
            async with aclosing(source):
                await self._send_result_stream(operation, source)
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except _OperationStreamClosed:
            return  # a document that does not parse: strawberry closed the socket (4400)
        except GraphQLError as refused:
            # A document over a limit is refused while it is parsed (graphql_limits), which
            # strawberry's streaming path does not catch: the client gets the error message.
            await operation.send_initial_errors([refused])
        except Exception:
            log.exception("a subscription failed")
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
