"""GraphQL document limits: size, fields, depth, aliases and tokens, checked cheaply before
graphql-core parses a document; no introspection and no suggestions in production."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial

from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

from graph_service.settings import Settings

SUGGESTION = " Did you mean "


class HideSuggestions(SchemaExtension):
    """Cut graphql-core's "Did you mean …?" hints, which would reveal the schema."""

    def on_operation(self) -> Iterator[None]:
        """Strip suggestions from every error of the finished operation."""
        yield
        # graphql-core always appends the hint at the end of a message (did_you_mean), in
        # validation and in variable coercion alike, so cutting there covers both.
        for error in getattr(self.execution_context.result, "errors", None) or ():
            error.message = error.message.split(SUGGESTION, 1)[0]


# GraphQL's lexical grammar, for a count at C speed: graphql-core's own lexer reads a
# character at a time in Python (about 20 µs a token), so a document refused only after
# parsing has already cost tens of milliseconds. Each match is one token, or one character
# the grammar does not allow (group 6).
_LEXEME = re.compile(
    r"[\s,\ufeff]*+(?:"
    r"([_A-Za-z][_0-9A-Za-z]*+)"  # 1: a name (the commonest first)
    r"|(\.\.\.|[!$&()\[\]{}:=@|])"  # 2: a punctuator
    r"|(#[^\n\r]*+)"  # 3: a comment, a token for graphql-core's max_tokens
    # 4: a block string, or a string (possessive runs: one pass over a 60 KiB string)
    r'|("""(?:[^"\\]++|\\"""|\\|"(?!""))*+"""|"[^"\\\n\r]*+(?:\\.[^"\\\n\r]*+)*+")'
    r"|(-?[0-9][0-9.eE+-]*+)"  # 5: a number
    r"|([^\s,\ufeff])"  # 6: anything else
    r")"
)
_NAME, _PUNCTUATOR, _COMMENT, _STRING, _NUMBER, _STRAY = range(1, 7)
_OPERATIONS = frozenset({"query", "mutation", "subscription"})
# After these, a name in a selection set is no field: a directive, a type condition, a spread.
_NOT_FIELDS = frozenset({"@", "on", "..."})


@dataclass
class _Definition:
    """What one operation or fragment selects, before its fragment spreads are counted in."""

    name: str
    operation: bool
    fields: int = 0
    aliases: int = 0
    depth: int = 0
    # (depth at the spread, or None under an introspection field; fragment name)
    spreads: list[tuple[int | None, str]] = field(default_factory=list)


@dataclass(frozen=True)
class DocumentSize:
    """A document's size as the limits see it, with fragments counted where spread."""

    tokens: int
    fields: int
    aliases: int
    depth: int
    deepest: str


class DocumentRefused(GraphQLError):
    """A document over a limit, refused before graphql-core parses or validates it."""


def measure_document(text: str, max_tokens: int) -> DocumentSize:
    """Count a document's tokens, fields, aliases and depth; DocumentRefused past max_tokens."""
    definitions: list[_Definition] = []
    current: _Definition | None = None
    # One entry per open selection set: its depth (None under an introspection field,
    # which the depth limit ignores, as strawberry's QueryDepthLimiter does).
    stack: list[int | None] = []
    parens = tokens = 0
    previous = ""  # the previous name or punctuator
    field_name = ""  # the last field named in the selection set at hand ("" after `...`)
    for match in _LEXEME.finditer(text):
        tokens += 1
        if tokens > max_tokens:
            raise DocumentRefused(f"Document contains more than {max_tokens} tokens.")
        kind = match.lastindex
        if kind == _NAME:
            value = match.group(_NAME)
            if parens:
                pass  # argument and variable names, enum values
            elif current is not None and stack and previous not in _NOT_FIELDS:
                current.fields += 1  # the commonest case first
                field_name = value
            elif not stack:
                # Definition headers: `query Name`, `fragment Name on Type`.
                if previous in _OPERATIONS and current is not None:
                    current.name = value
                elif previous == "fragment":
                    current = _Definition(value, operation=False)
                    definitions.append(current)
                elif current is None and value in _OPERATIONS:
                    current = _Definition("anonymous", operation=True)
                    definitions.append(current)
            elif current is not None and previous == "..." and value != "on":
                current.spreads.append((stack[-1], value))
            previous = value  # after `@` or `on`: a directive's name or a type condition
        elif kind == _PUNCTUATOR:
            value = match.group(_PUNCTUATOR)
            if value == "(":
                parens += 1
            elif value == ")":
                parens -= 1
            elif parens:
                pass  # `{`, `}` and `:` inside arguments belong to values
            elif value == "{":
                if not stack:
                    if current is None:  # a `{ … }` shorthand query
                        current = _Definition("anonymous", operation=True)
                        definitions.append(current)
                    stack.append(0)
                else:
                    depth = stack[-1]
                    if field_name.startswith("__"):
                        depth = None
                    elif field_name and depth is not None:
                        depth += 1  # an inline fragment's set is as deep as its parent's
                        if current is not None and depth > current.depth:
                            current.depth = depth
                    stack.append(depth)
                field_name = ""
            elif value == "}":
                if stack:
                    stack.pop()
                if not stack:
                    current = None
            elif value == ":" and stack and current is not None and previous.isidentifier():
                # What looked like a field was its alias; the field follows.
                current.aliases += 1
                current.fields -= 1
            elif value == "...":
                field_name = ""
            previous = value
        elif kind == _STRAY:
            raise DocumentRefused(f"Syntax Error: Unexpected character {match.group(kind)!r}.")
    if parens or stack:
        raise DocumentRefused("Syntax Error: unbalanced brackets.")
    return _expand(definitions, tokens)


def _expand(definitions: list[_Definition], tokens: int) -> DocumentSize:
    """Count every fragment's selections where it is spread (once per fragment: linear)."""
    fragments = {d.name: d for d in definitions if not d.operation}
    done: dict[str, tuple[int, int, int]] = {}

    def total(definition: _Definition, visiting: frozenset[str]) -> tuple[int, int, int]:
        if not definition.operation and definition.name in done:
            return done[definition.name]
        fields, aliases, depth = definition.fields, definition.aliases, definition.depth
        for at, name in definition.spreads:
            fragment = fragments.get(name)
            if fragment is None or name in visiting:
                continue  # validation reports unknown fragments and cycles
            more = total(fragment, visiting | {name})
            fields, aliases = fields + more[0], aliases + more[1]
            if at is not None:
                depth = max(depth, at + more[2])
        if not definition.operation:
            done[definition.name] = (fields, aliases, depth)
        return fields, aliases, depth

    syntactic = sum(d.fields for d in definitions)
    operations = [(d.name, total(d, frozenset())) for d in definitions if d.operation]
    deepest, (_, _, depth) = max(operations, key=lambda o: o[1][2], default=("", (0, 0, 0)))
    return DocumentSize(
        tokens=tokens,
        fields=max([syntactic, *(counts[0] for _, counts in operations)]),
        aliases=sum(counts[1] for _, counts in operations),
        depth=depth,
        deepest=deepest,
    )


class DocumentLimiter(SchemaExtension):
    """Refuse documents over the token, field, alias or depth limits before parsing them."""

    # strawberry's own limiters stay behind this one: they see the parsed document, and
    # they are exact where this count is not sure (it only refuses what is surely over).

    def __init__(self, *, max_tokens: int, max_fields: int, max_aliases: int, max_depth: int):
        self.max_tokens = max_tokens
        self.max_fields = max_fields
        self.max_aliases = max_aliases
        self.max_depth = max_depth

    def on_parse(self) -> Iterator[None]:
        """Measure the document's text; a refusal ends the operation with one error."""
        text = self.execution_context.query
        if text is not None and self.execution_context.graphql_document is None:
            size = measure_document(text, self.max_tokens)
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
        yield


def graphql_limits(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """Size, depth, alias and token limits; no introspection or suggestions in production."""
    # Factories, not instances: strawberry builds extensions afresh for each operation, so
    # that concurrent operations do not share one execution context.
    limits: list[Callable[[], SchemaExtension]] = [
        partial(
            DocumentLimiter,
            max_tokens=settings.graphql_max_tokens,
            max_fields=settings.graphql_max_fields,
            max_aliases=settings.graphql_max_aliases,
            max_depth=settings.graphql_max_depth,
        ),
        partial(MaxTokensLimiter, max_token_count=settings.graphql_max_tokens),
        partial(QueryDepthLimiter, max_depth=settings.graphql_max_depth),
        partial(MaxAliasesLimiter, max_alias_count=settings.graphql_max_aliases),
    ]
    if not settings.development:
        limits += [DisableIntrospection, HideSuggestions]
    return limits
