"""Prepared operations: a query whose text passed every limit and validation before runs
straight through graphql-core, without strawberry's per-request HTTP and extension layers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    execute,
    get_operation_ast,
)
from strawberry.execution import optimized_is_awaitable
from strawberry.types import ExecutionResult
from strawberry.utils.await_maybe import await_maybe

from graph_service.api.errors import MaskUnexpectedErrors, is_unexpected
from graph_service.api.schema import Schema
from graph_service.graphql_limits import hide_suggestions


@dataclass(frozen=True)
class Prepared:
    """A validated query document and the operation in it to run."""

    document: DocumentNode
    operation_name: str | None


class PreparedOperations:
    """Run queries whose documents the schema's limits and validation accepted before."""

    # Only queries: a mutation keeps strawberry's path, with its transaction and its key.
    # A document seen for the first time, or refused, also takes strawberry's path, which
    # checks it (and, when it passes, remembers it for this lane).

    def __init__(self, schema: Schema, *, hide_hints: bool) -> None:
        self.schema = schema
        self.hide_hints = hide_hints
        self._masker = MaskUnexpectedErrors()
        # (text, operation name) -> whether it names one query in that document.
        self._queries: dict[tuple[str, str | None], bool] = {}

    def prepared(self, text: str, operation_name: str | None) -> Prepared | None:
        """The query to run for this text and name, if its document passed before."""
        document = self.schema.validated.get(text)
        if document is None:
            return None
        key = (text, operation_name)
        is_query = self._queries.get(key)
        if is_query is None:
            operation = get_operation_ast(document, operation_name)
            is_query = (
                isinstance(operation, OperationDefinitionNode)
                and operation.operation is OperationType.QUERY
            )
            if len(self._queries) >= self.schema.validated.size:
                del self._queries[next(iter(self._queries))]
            self._queries[key] = is_query
        return Prepared(document, operation_name) if is_query else None

    async def execute(
        self, prepared: Prepared, context: Any, variables: dict[str, Any] | None
    ) -> ExecutionResult:
        """Execute the query; errors logged, then masked and cut as strawberry's path does."""
        result = await await_maybe(
            execute(
                self.schema._schema,
                prepared.document,
                context_value=context,
                variable_values=variables,
                operation_name=prepared.operation_name,
                is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
                executor_class=self.schema.execution_context_class,
            )
        )
        errors: list[GraphQLError] | None = result.errors
        if errors:
            self.schema.process_errors(errors)
            errors = [self._masker.anonymise_error(e) if is_unexpected(e) else e for e in errors]
            if self.hide_hints:
                hide_suggestions(errors)
        return ExecutionResult(data=result.data, errors=errors)
