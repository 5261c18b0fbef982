"""A GraphQL document measured on its text, at C speed, before graphql-core parses it: tokens,
fields, aliases, depth, and an estimate of what parsing and validating it would cost."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graphql import GraphQLError

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
    # The end, after trailing whitespace: without it, finditer would retry the whitespace
    # from each of its characters in turn (60 KiB of spaces: 7 s).
    r"|\Z"
    r")"
)
_NAME, _PUNCTUATOR, _COMMENT, _STRING, _NUMBER, _STRAY = range(1, 7)
_OPERATIONS = frozenset({"query", "mutation", "subscription"})
# After these, a name in a selection set is no field: a directive, a type condition, a spread.
_NOT_FIELDS = frozenset({"@", "on", "..."})
_INTROSPECTION = frozenset({"__schema", "__type"})
QUERY_TOO_LARGE = "QUERY_TOO_LARGE"
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"

# The cost of parsing and validating a document, in units of what one token of argument
# values costs (20 to 50 µs; bench/refusals.py measures each kind of document at the limit).
# A token in a list costs one more (each item is checked against the list's type); a field
# two more (graphql-core's ~35 validation rules look at each); a definition (operation or
# fragment) 16 more, for the walks that some rules make of each. Characters one per 128
# (graphql-core's lexer reads them one at a time), those of strings and numbers 3 times that.
# Comments are cut before parsing (see DocumentSize.text), but counting them here still
# costs one per 16.
FIELD_COST = 2
DEFINITION_COST = 16
CHARACTERS_PER_UNIT = 128
LITERAL_WEIGHT = 2  # what a character of a string or number costs besides
COMMENTS_PER_UNIT = 16


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
    introspection: str = ""  # the first `__schema` or `__type` field selected, if any
    cost: int = 0  # the estimate: see FIELD_COST
    # The document without its comments, which graphql-core reads a character at a time
    # (2,000 comment lines: 8 ms). A comment runs to the end of its line, so every token
    # keeps its line and column, which is all that errors show of a position.
    text: str = ""


class DocumentRefused(GraphQLError):
    """A document over a limit, refused before graphql-core parses or validates it."""

    def __init__(self, message: str, code: str = QUERY_TOO_LARGE) -> None:
        super().__init__(message, extensions={"code": code})


def measure_document(text: str, max_tokens: int) -> DocumentSize:
    """Count a document's tokens, fields, aliases and depth; DocumentRefused past max_tokens."""
    definitions: list[_Definition] = []
    current: _Definition | None = None
    # One entry per open selection set: its depth (None under an introspection field,
    # which the depth limit ignores, as strawberry's QueryDepthLimiter does).
    stack: list[int | None] = []
    parens = tokens = 0
    brackets = listed = 0  # open lists in arguments; tokens inside such lists
    literal = 0  # characters of strings and numbers
    previous = ""  # the previous name or punctuator
    field_name = ""  # the last field named in the selection set at hand ("" after `...`)
    introspection: list[str] = []  # `__schema` and `__type` fields (not aliases)
    comments: list[tuple[int, int]] = []
    for match in _LEXEME.finditer(text):
        kind = match.lastindex
        if kind is None:
            break  # the end
        tokens += 1
        if tokens > max_tokens:
            raise DocumentRefused(f"Document contains more than {max_tokens} tokens.")
        if kind == _NAME:
            value = match.group(_NAME)
            if parens:
                pass  # argument and variable names, enum values
            elif current is not None and stack and previous not in _NOT_FIELDS:
                current.fields += 1  # the commonest case first
                field_name = value
                if value in _INTROSPECTION:
                    introspection.append(value)
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
            elif parens:  # `{`, `}` and `:` inside arguments belong to values
                if value == "[":
                    brackets += 1
                    if brackets == 1:
                        listed -= tokens
                elif value == "]" and brackets:
                    brackets -= 1
                    if not brackets:
                        listed += tokens
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
                if previous in _INTROSPECTION:
                    introspection.pop()
            elif value == "...":
                field_name = ""
            previous = value
        elif kind == _COMMENT:
            comments.append(match.span(_COMMENT))
        elif kind in (_STRING, _NUMBER):
            literal += match.end() - match.start(kind)
        elif kind == _STRAY:
            message = f"Syntax Error: Unexpected character {match.group(kind)!r}."
            raise DocumentRefused(message, GRAPHQL_PARSE_FAILED)
    if parens or stack:
        raise DocumentRefused("Syntax Error: unbalanced brackets.", GRAPHQL_PARSE_FAILED)
    if comments:
        ends = [0, *(end for _, end in comments)]
        starts = [*(start for start, _ in comments), len(text)]
        text = "".join(text[end:start] for end, start in zip(ends, starts, strict=True))
    # The line ends that the comments leave are theirs: cut, a comment costs a line end.
    characters = len(text) - len(comments) + LITERAL_WEIGHT * literal
    size = _expand(definitions, tokens - len(comments) + listed, len(comments), characters)
    return DocumentSize(
        tokens=tokens,
        fields=size.fields,
        aliases=size.aliases,
        depth=size.depth,
        deepest=size.deepest,
        introspection=next(iter(introspection), ""),
        cost=size.cost,
        text=text,
    )


def _expand(
    definitions: list[_Definition], tokens: int, comments: int, characters: int
) -> DocumentSize:
    """Count every fragment's selections where it is spread (once per fragment: linear)."""
    fragments = {d.name: d for d in definitions if not d.operation}
    done: dict[str, tuple[int, int, int]] = {}

    def total(definition: _Definition, visiting: set[str]) -> tuple[int, int, int]:
        if not definition.operation and definition.name in done:
            return done[definition.name]
        fields, aliases, depth = definition.fields, definition.aliases, definition.depth
        for at, name in definition.spreads:
            fragment = fragments.get(name)
            if fragment is None or name in visiting:
                continue  # validation reports unknown fragments and cycles
            visiting.add(name)  # one set for the walk: a chain of 250 is not 250 copies
            more = total(fragment, visiting)
            visiting.discard(name)
            fields, aliases = fields + more[0], aliases + more[1]
            if at is not None:
                depth = max(depth, at + more[2])
        if not definition.operation:
            done[definition.name] = (fields, aliases, depth)
        return fields, aliases, depth

    syntactic = sum(d.fields for d in definitions)
    operations = [(d.name, total(d, set())) for d in definitions if d.operation]
    deepest, (_, _, depth) = max(operations, key=lambda o: o[1][2], default=("", (0, 0, 0)))
    # Some rules walk each operation with the fragments it spreads: count those as often.
    walked = max(syntactic, sum(counts[0] for _, counts in operations))
    return DocumentSize(
        tokens=tokens,
        fields=max([syntactic, *(counts[0] for _, counts in operations)]),
        aliases=sum(counts[1] for _, counts in operations),
        depth=depth,
        deepest=deepest,
        cost=tokens
        + comments // COMMENTS_PER_UNIT
        + FIELD_COST * walked
        + DEFINITION_COST * len(definitions)
        + characters // CHARACTERS_PER_UNIT,
    )
