"""GraphQL document limits: size, fields, depth, aliases, tokens and cost, checked cheaply
before graphql-core parses a document (graphql_measure); validation at a bounded cost
(graphql_validation); no introspection and no suggestions in production."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import partial

from graphql import ASTValidationRule, GraphQLError, NoSchemaIntrospectionCustomRule, parse
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from graph_service.graphql_measure import (
    GRAPHQL_PARSE_FAILED,
    INTROSPECTION_DISABLED,
    QUERY_TOO_COMPLEX,
    DocumentRefused,
    DocumentSize,
    measure_document,
)
from graph_service.graphql_validation import BoundedValidation, ValidatedDocuments
from graph_service.settings import Settings

__all__ = [
    "MAX_COST",
    "DocumentLimiter",
    "DocumentRefused",
    "DocumentSize",
    "HideSuggestions",
    "graphql_limits",
    "hide_suggestions",
    "measure_document",
]

# In graphql_measure's units: just above the heaviest documents that the tests must accept,
# the largest query (110), `{ me { role } }` padded with comments to 2,000 tokens (150) and
# 15 aliases of `me { role }` (169). Refusing the worst document of this cost, of any kind,
# costs about as much as these (bench/refusals.py). GraphiQL's introspection query: 678.
MAX_COST = 175

SUGGESTION = " Did you mean "


class HideSuggestions(SchemaExtension):
    """Cut graphql-core's "Did you mean …?" hints, which would reveal the schema."""

    def on_operation(self) -> Iterator[None]:
        """Strip suggestions from every error of the finished operation."""
        yield
        hide_suggestions(getattr(self.execution_context.result, "errors", None) or ())


def hide_suggestions(errors: Iterable[GraphQLError]) -> None:
    """Cut the "Did you mean …?" hint from each error's message."""
    # graphql-core always appends the hint at the end of a message (did_you_mean), in
    # validation and in variable coercion alike, so cutting there covers both.
    for error in errors:
        error.message = error.message.split(SUGGESTION, 1)[0]


class DocumentLimiter(SchemaExtension):
    """Refuse documents over the token, field, alias, depth or cost limits before parsing."""

    # strawberry's own limiters stay behind this one: they see the parsed document, and
    # they are exact where this count is not sure (it only refuses what is surely over).

    def __init__(
        self,
        *,
        max_tokens: int,
        max_fields: int,
        max_aliases: int,
        max_depth: int,
        max_cost: int = MAX_COST,
        introspection: bool = True,
        documents: ValidatedDocuments | None = None,
    ) -> None:
        self.max_tokens = max_tokens
        self.max_fields = max_fields
        self.max_aliases = max_aliases
        self.max_depth = max_depth
        self.max_cost = max_cost
        self.introspection = introspection
        self.documents = documents if documents is not None else ValidatedDocuments()

    def on_parse(self) -> Iterator[None]:
        """Measure and check the text, then parse it; a refusal ends the operation."""
        context = self.execution_context
        text = context.query
        if text is not None and context.graphql_document is None:
            known = self.documents.get(text)
            if known is not None:
                # Parsed, checked and validated before: the same text, the same answer.
                context.graphql_document = known
                context.pre_execution_errors = []
                yield
                return
            size = measure_document(text, self.max_tokens)
            self.check(size)
            # Here rather than by strawberry: without the comments (see DocumentSize.text),
            # and with a code on syntax errors as on every other refusal.
            context.parse_options["max_tokens"] = self.max_tokens  # graphql-core's own guard
            try:
                context.graphql_document = parse(size.text, **context.parse_options)
            except GraphQLError as error:
                error.extensions = {**(error.extensions or {}), "code": GRAPHQL_PARSE_FAILED}
                raise
        yield

    def check(self, size: DocumentSize) -> None:
        """Refuse a document over a limit (DocumentRefused)."""
        if size.fields > self.max_fields:
            raise DocumentRefused(
                f"Document selects more than {self.max_fields} fields (a fragment's "
                "count where it is spread): split it into smaller operations."
            )
        if size.aliases > self.max_aliases:
            raise DocumentRefused(f"{size.aliases} aliases found. Allowed: {self.max_aliases}")
        if size.depth > self.max_depth:
            raise DocumentRefused(
                f"'{size.deepest}' exceeds maximum operation depth of {self.max_depth}"
            )
        if size.introspection and not self.introspection:
            # DisableIntrospection's words, without the parse and the validation that
            # it needs (7 ms for the introspection query), whose type check it keeps.
            raise DocumentRefused(
                "GraphQL introspection has been disabled, but the requested query "
                f"contained the field '{size.introspection}'.",
                INTROSPECTION_DISABLED,
            )
        # GraphiQL's introspection query costs about 700: in development (the only
        # place where it is allowed), a document that asks for the schema goes free.
        if size.cost > self.max_cost and not (self.introspection and size.introspection):
            raise DocumentRefused(
                "Document too complex: it would cost more than the server allows to "
                "parse and check (fewer fields, arguments or operations, or split it).",
                QUERY_TOO_COMPLEX,
            )


def graphql_limits(
    settings: Settings, documents: ValidatedDocuments
) -> list[Callable[[], SchemaExtension]]:
    """Limits on documents, bounded validation; no introspection or suggestions in production."""
    # The depth and alias rules are built once, not per operation as strawberry's limiter
    # extensions would; and a document that passed is not parsed or validated again.
    rules: tuple[type[ASTValidationRule], ...] = (
        depth_rule(settings.graphql_max_depth, None),
        alias_rule(settings.graphql_max_aliases),
    )
    if not settings.development:
        rules += (NoSchemaIntrospectionCustomRule,)
    # Factories, not instances: strawberry builds extensions afresh for each operation, so
    # that concurrent operations do not share one execution context.
    limits: list[Callable[[], SchemaExtension]] = [
        partial(
            DocumentLimiter,
            max_tokens=settings.graphql_max_tokens,
            max_fields=settings.graphql_max_fields,
            max_aliases=settings.graphql_max_aliases,
            max_depth=settings.graphql_max_depth,
            introspection=settings.development,
            documents=documents,
        ),
    ]
    if not settings.development:
        limits.append(HideSuggestions)
    limits.append(
        partial(
            BoundedValidation,
            hide_suggestions=not settings.development,
            rules=rules,
            documents=documents,
        )
    )
    return limits
