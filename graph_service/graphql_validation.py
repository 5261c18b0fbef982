"""graphql-core's validation at a bounded cost: the overlap check on a small budget, few
errors, and no suggestions in production, so that refusing a document stays cheap."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OverlappingFieldsCanBeMergedRule,
    ValidationContext,
    validate,
)

# graphql-core >= 3.3 meters this rule's work (MAX_COMPLEXITY_BUDGET, 500,000 units by
# default); an older one would fail here, at import, rather than go unbounded.
from graphql.validation.rules.overlapping_fields_can_be_merged import MAX_COMPLEXITY_BUDGET
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from graph_service.graphql_measure import QUERY_TOO_COMPLEX

# Units of graphql-core's meter: 2 for each pair of same-named fields compared, 1 for each
# response name or fragment matched. Ordinary documents spend few (the introspection query
# none, the largest query of the tests 12); 150 x `me { role }` needs 55,875 (150 ms). One
# unit costs 0.3 to 3 µs, so a document refused at this budget has cost the rule 1.5 ms.
OVERLAP_BUDGET = 500
# graphql-core stops at 100 errors; each costs 20 to 200 µs (with suggestions: more), and a
# client reads the first few. 300 unknown fields cost 24 ms at 100 errors.
MAX_ERRORS = 10
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
# strawberry's validate_document adds these two rules to the ones in the execution context.
_STRAWBERRY_RULES: tuple[type[ASTValidationRule], ...] = (
    MaybeNullValidationRule,
    OneOfInputValidationRule,
)

assert OVERLAP_BUDGET < MAX_COMPLEXITY_BUDGET


class DocumentTooComplex(ValidationAbortedError):
    """Validation stopped: checking that the fields of a document merge would cost too much."""

    def __init__(self) -> None:
        super().__init__(
            "Document too complex to validate: it selects the same response names too often "
            "(repeated fields, fragments spread side by side): merge or alias them.",
            extensions={"code": QUERY_TOO_COMPLEX},
        )


class BoundedOverlapRule(OverlappingFieldsCanBeMergedRule):
    """OverlappingFieldsCanBeMergedRule on OVERLAP_BUDGET units instead of 500,000."""

    # Same rule, same errors within the budget: only the point where it gives up moves.

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.rule_context.remaining_complexity_budget = OVERLAP_BUDGET

    def enter_selection_set(self, *args: Any) -> None:
        """Check one selection set; DocumentTooComplex once the budget is spent."""
        try:
            super().enter_selection_set(*args)
        except ValidationAbortedError:
            if self.rule_context.remaining_complexity_budget >= 0:
                raise  # the error limit, reached while reporting conflicts
            raise DocumentTooComplex from None


def bounded_rules(
    rules: tuple[type[ASTValidationRule], ...],
) -> tuple[type[ASTValidationRule], ...]:
    """The rules strawberry would run, with the overlap rule on its budget."""
    swapped = (
        BoundedOverlapRule if rule is OverlappingFieldsCanBeMergedRule else rule for rule in rules
    )
    return (*swapped, *_STRAWBERRY_RULES)


def validate_bounded(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
    *,
    hide_suggestions: bool,
) -> list[GraphQLError]:
    """Validate as strawberry does, at a bounded cost (see bounded_rules and MAX_ERRORS)."""
    errors = validate(
        schema,
        document,
        bounded_rules(rules),
        max_errors=MAX_ERRORS,
        hide_suggestions=hide_suggestions,
    )
    for error in errors:  # a code on every refusal, for clients to branch on
        if not (error.extensions or {}).get("code"):
            error.extensions = {**(error.extensions or {}), "code": GRAPHQL_VALIDATION_FAILED}
    return errors


class BoundedValidation(SchemaExtension):
    """Run validation in strawberry's place, with the bounds of validate_bounded."""

    # Last in the list of extensions: the others add their rules in on_operation, before
    # this runs; strawberry skips its own validation once pre_execution_errors is set.

    def __init__(
        self,
        *,
        hide_suggestions: bool,
        rules: tuple[type[ASTValidationRule], ...] = (),
        documents: ValidatedDocuments | None = None,
    ) -> None:
        self.hide_suggestions = hide_suggestions
        self.rules = rules
        self.documents = documents

    def on_validate(self) -> Iterator[None]:
        """Validate the parsed document, unless validation is disabled or already done."""
        context = self.execution_context
        document = context.graphql_document
        if (
            document is not None
            and context.validation_rules
            and context.pre_execution_errors is None
        ):
            errors = validate_bounded(
                context.schema._schema,
                document,
                (*context.validation_rules, *self.rules),
                hide_suggestions=self.hide_suggestions,
            )
            context.pre_execution_errors = errors
            if not errors and self.documents is not None and context.query is not None:
                self.documents.add(context.query, document)
        yield


class ValidatedDocuments:
    """Documents that passed every limit and validation, by their text (a bounded cache)."""

    # Validation depends only on the document, the schema and the rules, all fixed for the
    # process: a client that sends the same document again (every page, every app) gets it
    # checked once. Only documents that passed are kept; a refusal is never remembered.

    def __init__(self, size: int = 500) -> None:
        self.size = size
        self._documents: dict[str, DocumentNode] = {}

    def get(self, text: str) -> DocumentNode | None:
        """The parsed document for this text, if it passed before."""
        return self._documents.get(text)

    def add(self, text: str, document: DocumentNode) -> None:
        """Keep a document that passed (the oldest goes when the cache is full)."""
        if len(self._documents) >= self.size:
            del self._documents[next(iter(self._documents))]
        self._documents[text] = document
