"""The worst GraphQL documents within the limits: each passes the checks made on the text
(tokens, fields, aliases, depth) and leaves the rest to graphql-core's parser and validation."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLObjectType,
    GraphQLSchema,
    get_introspection_query,
    get_named_type,
    is_leaf_type,
    is_non_null_type,
)
from graphql.pyutils import Undefined

from graph_service.graphql_limits import DocumentLimiter, DocumentRefused, measure_document
from graph_service.graphql_measure import (
    GRAPHQL_PARSE_FAILED,
    INTROSPECTION_DISABLED,
    QUERY_TOO_COMPLEX,
    QUERY_TOO_LARGE,
)
from graph_service.settings import Settings


@dataclass(frozen=True)
class Document:
    """A document, the operation to run in it, and how the service must answer it."""

    name: str
    query: str
    operation: str | None = None
    refused: bool = True
    code: str | None = None  # the first error's code (None: any)


def _fields(count: int, name: str = "__typename") -> str:
    return " ".join([name] * count)


def over_the_limits(settings: Settings) -> list[Document]:
    """The worst documents just over the token, field, alias and depth limits.

    Each operation gets a comment of its own per request (see bench/refusals.py _unique):
    one token more.
    """
    tokens, fields = settings.graphql_max_tokens, settings.graphql_max_fields
    depth, aliases = settings.graphql_max_depth, settings.graphql_max_aliases
    room = settings.max_body_bytes - 200  # what the JSON envelope leaves for the document
    nested = "id"
    for level in range(depth + 1):
        nested = f"{['member', 'circle'][level % 2]} {{ {nested} }}"
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
    spreads = " ".join(f"...G{i}" for i in range(fields // 2 + 1))
    fragments = " ".join(
        f"fragment G{i} on Query {{ me {{ role }} }}" for i in range(fields // 2 + 1)
    )
    long_string = "x" * (room - 11 * fields - 1000)
    escapes = "\\u00e9" * ((room - 1000) // 7)  # 7 bytes each in JSON
    aliased = " ".join(f"a{i}: me {{ role }}" for i in range(aliases + 1))
    large, parse = QUERY_TOO_LARGE, GRAPHQL_PARSE_FAILED
    return [
        Document(f"tokens: {tokens + 1} names", "{ " + _fields(tokens - 1), code=large),
        Document(
            f"tokens: {tokens + 1} comments",
            "{ me { role } }\n" + "#\n" * (tokens - 6),
            code=large,
        ),
        Document(
            f"fields: {tokens - 10} x __typename", "{ " + _fields(tokens - 10) + " }", code=large
        ),
        Document(
            f"fields: {fields + 1}, long names",
            "{ " + " ".join(f"f{'x' * 100}{i}" for i in range(fields + 1)) + " }",
            code=large,
        ),
        Document(
            "fields: 2^40 by a fragment chain",
            f"{{ ...F0 }} {chain} fragment F40 on Query {{ __typename }}",
            code=large,
        ),
        Document(
            f"fields: {fields // 2 + 1} fragments of 2 fields",
            f"{{ {spreads} }} {fragments}",
            code=large,
        ),
        Document(
            f"depth: {depth + 1}, {fields - 20} fields beside",
            f"{{ {nested} {_fields(fields - 20)} }}",
            code=large,
        ),
        Document(
            f"aliases: {aliases + 1}, {fields - 40} fields beside",
            f"{{ {aliased} {_fields(fields - 40)} }}",
            code=large,
        ),
        Document(
            f"long string ({len(long_string) // 1024} KiB) + {fields + 1} fields",
            f'{{ member(id: "{long_string}") {{ id }} {_fields(fields + 1)} }}',
            code=large,
        ),
        Document(
            f"escaped string ({len(escapes) // 1024} KiB) + depth {depth + 1}",
            f'{{ n: member(id: "{escapes}") {{ id }} {nested} }}',
            code=large,
        ),
        # With the comment that makes it unique, the character is the last of `tokens`.
        Document(
            f"syntax: stray character after {tokens - 1} tokens",
            "{ " + _fields(tokens - 4) + " } %",
            code=parse,
        ),
        Document(
            f"syntax: unclosed after {tokens} tokens",
            "{ " + _fields(tokens - 3) + " { ",
            code=parse,
        ),
        Document(
            "introspection query (production)",
            get_introspection_query(),
            code=INTROSPECTION_DISABLED,
        ),
        Document(
            f"syntax: bad grammar after {tokens - 15} tokens",
            "{ me(x: [" + "1 " * (tokens - 15) + "]) { role } : }",
            code=QUERY_TOO_COMPLEX,
        ),
    ]


def accepted(settings: Settings) -> list[Document]:
    """For scale: small documents, and the heaviest that the tests require to be accepted."""
    aliases = " ".join(f"a{i}: me {{ role }}" for i in range(settings.graphql_max_aliases))
    members = (
        "query($first: Int, $after: String, $status: MemberStatus, $search: String) { "
        "members(first: $first, after: $after, status: $status, search: $search) { "
        "totalCount pageInfo { hasNextPage endCursor } edges { cursor node { displayName } } } }"
    )
    padded = "{ me { role } }\n" + "# padding\n" * (settings.graphql_max_tokens - 7)
    return [
        Document("accepted: { me { role } }", "{ me { role } }", refused=False),
        Document("accepted: members page (56 tokens)", members, refused=False),
        Document(
            f"accepted: {settings.graphql_max_aliases} aliases", f"{{ {aliases} }}", refused=False
        ),
        Document("accepted: { me { role } } + comments to the token limit", padded, refused=False),
    ]


def _literal(kind: GraphQLInputType) -> str | None:
    named = get_named_type(kind)
    if isinstance(named, GraphQLEnumType):
        return next(iter(named.values))
    if isinstance(named, GraphQLInputObjectType):
        return None
    return {"Int": "1", "Float": "1.5", "Boolean": "true"}.get(named.name, '"x"')


def _tree(
    parent: GraphQLObjectType, room: int, depth: int, seen: frozenset[str]
) -> tuple[list[str], int]:
    """Valid selections under `parent`, `room` fields at most, no response name twice."""
    selections: list[str] = []
    used = 0
    for name, field in parent.fields.items():
        if used >= room:
            break
        arguments = []
        for argument, definition in field.args.items():
            if is_non_null_type(definition.type) and definition.default_value is Undefined:
                value = _literal(definition.type)
                if value is None:
                    break
                arguments.append(f"{argument}: {value}")
        else:
            named = get_named_type(field.type)
            call = f"{name}({', '.join(arguments)})" if arguments else name
            if is_leaf_type(named):
                selections.append(call)
                used += 1
            elif isinstance(named, GraphQLObjectType) and depth > 1 and named.name not in seen:
                inner, count = _tree(named, room - used - 1, depth - 1, seen | {named.name})
                if inner:
                    selections.append(f"{call} {{ {' '.join(inner)} }}")
                    used += 1 + count
    return selections, used


def distinct_fields(schema: GraphQLSchema, count: int, depth: int) -> str:
    """Up to `count` valid fields, none of them the same response name as another."""
    assert schema.query_type is not None
    return " ".join(_tree(schema.query_type, count, depth, frozenset({"Query"}))[0])


def _limiter(settings: Settings) -> DocumentLimiter:
    """The service's checks on the text, as production makes them."""
    return DocumentLimiter(
        max_tokens=settings.graphql_max_tokens,
        max_fields=settings.graphql_max_fields,
        max_aliases=settings.graphql_max_aliases,
        max_depth=settings.graphql_max_depth,
        introspection=False,
    )


def _admitted(limiter: DocumentLimiter, max_bytes: int, query: str) -> bool:
    if len(json.dumps({"query": query, "operationName": "Run"})) + 20 > max_bytes:
        return False
    try:
        # With the comment that bench/refusals.py puts first to make each request unique.
        limiter.check(measure_document(f"#{10**6}\n{query}", limiter.max_tokens))
    except DocumentRefused:
        return False
    return True


def _largest(limiter: DocumentLimiter, max_bytes: int, build: Callable[[int], str]) -> int:
    """The largest n for which build(n) passes every check on the text (0: none)."""
    low, high = 0, 1
    while _admitted(limiter, max_bytes, build(high)):
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        admitted = _admitted(limiter, max_bytes, build(middle))
        low, high = (middle, high) if admitted else (low, middle)
    return low


Build = Callable[[int], str]


def _builders(schema: GraphQLSchema) -> dict[str, tuple[Build, str | None]]:
    """Document classes: {name with {n}: (n -> document, operation to run)}."""
    square: Build = lambda n: "{ " + ("me { " + "role " * n + "} ") * n + "nope }"  # noqa: E731
    return {
        # OverlappingFieldsCanBeMergedRule compares every pair of same-named fields.
        "overlap: {n} x __typename + 1 unknown": (
            lambda n: "{ " + "__typename " * n + "nope }",
            None,
        ),
        "overlap: {n} x me { role } + 1 unknown": (
            lambda n: "{ " + "me { role } " * n + "nope }",
            None,
        ),
        "overlap: {n} fragments spread together + 1 unknown": (
            lambda n: (
                "{ "
                + " ".join(f"...G{i}" for i in range(n))
                + " nope } "
                + " ".join(f"fragment G{i} on Query {{ me {{ role }} }}" for i in range(n))
            ),
            None,
        ),
        "overlap: {n} x member(id), n ids + 1 unknown": (
            lambda n: "{ " + " ".join(f'member(id: "{i}") {{ id }}' for i in range(n)) + " nope }",
            None,
        ),
        "overlap: {n} x me { n x role } + 1 unknown": (square, None),
        # graphql-core reports up to 100 errors, each with its "Did you mean" hints.
        "errors: {n} unknown fields": (
            lambda n: "{ " + " ".join(f"f{i}" for i in range(n)) + " }",
            None,
        ),
        "errors: {n} unknown directives": (lambda n: "{ me " + "@a " * n + "{ role } }", None),
        "errors: {n} unused variables": (
            lambda n: "query(" + " ".join(f"$v{i}: Int" for i in range(n)) + ") { me { role } }",
            None,
        ),
        "errors: {n} unknown arguments": (
            lambda n: "{ me(" + " ".join(f"a{i}: 1" for i in range(n)) + ") { role } }",
            None,
        ),
        # Linear in the document: what any document of its size costs to parse and check.
        "linear: {n} distinct fields + 1 unknown": (
            lambda n: f"{{ {distinct_fields(schema, n, 10)} nope }}",
            None,
        ),
        "linear: {n} enum values in a list + 1 unknown": (
            lambda n: (
                "{ isolationReport(minSupporters: 1, componentSize: 1, includeStatuses: ["
                + "ACTIVE " * n
                + "]) { totalCount } nope }"
            ),
            None,
        ),
        "linear: {n} operations + 1 run": (
            lambda n: (
                " ".join(f"query Q{i} {{ __typename }}" for i in range(n)) + " query Run { nope }"
            ),
            "Run",
        ),
        "linear: {n} chained fragments + 1 unknown": (
            lambda n: (
                "{ me { ...G0 } } "
                + " ".join(f"fragment G{i} on Me {{ ...G{i + 1} }}" for i in range(n))
                + f" fragment G{n} on Me {{ nope }}"
            ),
            None,
        ),
        "linear: string of {n} bytes + 1 unknown": (
            lambda n: f'{{ member(id: "{"x" * n}") {{ id }} nope }}',
            None,
        ),
        "linear: {n} bytes of whitespace + 1 unknown": (
            lambda n: "{ me { role } nope }" + " " * n,
            None,
        ),
        "linear: {n} comment lines + 1 unknown": (
            lambda n: "{ me { role } nope }\n" + "# padding\n" * n,
            None,
        ),
        "syntax: lists nested {n} deep": (
            lambda n: "{ me(x: " + "[" * n + "]" * n + ") { role } }",
            None,
        ),
    }


def worst_documents(
    settings: Settings, schema: GraphQLSchema, *, cost: bool = True
) -> list[Document]:
    """Each class at the largest size that the checks on the text let graphql-core see.

    cost=False: as large as the other limits allow, as before the cost limit (which now
    refuses these before parsing).
    """
    limiter = _limiter(settings)
    if not cost:
        limiter.max_cost = 10**9
    documents = []
    for name, (build, operation) in _builders(schema).items():
        n = _largest(limiter, settings.max_body_bytes, build)
        documents.append(Document(name.replace("{n}", str(n)), build(n), operation))
    return documents
