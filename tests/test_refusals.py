"""Refusals that cost little and say what is wrong: malformed bodies, oversized documents,
forged cursors, rate limits per verified caller, and unexpected exceptions anywhere."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from graphql import get_introspection_query, parse, specified_rules, validate
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from graph_service.api.schema import build_schema
from graph_service.auth import Role, issue_token
from graph_service.graphql_limits import MAX_COST, DocumentRefused, measure_document
from graph_service.graphql_validation import MAX_ERRORS, validate_bounded
from graph_service.hardening import hardening_middleware
from graph_service.ids import to_global_id
from graph_service.middleware import RequestLogMiddleware
from graph_service.settings import Settings
from tests.conftest import SECRET, GraphQLClient, RunningServer, _free_port, token_for
from tests.test_hardening import aliased, nested, tokens

ME = "{ me { role } }"
COORDINATOR = {"Authorization": f"Bearer {token_for(Role.COORDINATOR)}"}
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


def _only_error(response: httpx.Response) -> dict[str, object]:
    body = response.json()
    assert body["data"] is None, body
    [error] = body["errors"]
    return error  # type: ignore[no-any-return]


def _assert_masked_json(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert SECURITY_HEADERS.items() <= response.headers.items()
    extensions = _only_error(response)["extensions"]
    assert extensions == {"code": code, "requestId": response.headers["x-request-id"]}


MALFORMED = {
    "not-utf8": b'{"query": "{ me { role } }\xff"}',
    "utf16": '{"query": "{ me { role } }"}'.encode("utf-16"),
    "string": b'"hello"',
    "number": b"42",
    "null": b"null",
    "empty-array": b"[]",
    "batch": b'[{"query": "{ me { role } }"}]',
    "invalid-json": b'{"query": ',
    "empty": b"",
    "nested-arrays": b"[" * 20000 + b"]" * 20000,
    "query-not-string": b'{"query": 5}',
    "variables-not-object": b'{"query": "{ me { role } }", "variables": [1]}',
    "no-query": b'{"variables": {}}',
}


@pytest.mark.parametrize("body", list(MALFORMED.values()), ids=list(MALFORMED))
async def test_malformed_body_is_a_json_400(http: httpx.AsyncClient, body: bytes) -> None:
    headers = {**COORDINATOR, "Content-Type": "application/json"}
    response = await http.post("/graphql", content=body, headers=headers)
    _assert_masked_json(response, 400, "BAD_REQUEST")


async def test_well_formed_body_still_reaches_strawberry(http: httpx.AsyncClient) -> None:
    # The body was read once to be checked; strawberry must still see all of it.
    headers = {**COORDINATOR, "Content-Type": "application/json; charset=utf-8"}
    body = b'{"query": "query($n: Int) { members(first: $n) { totalCount } }", '
    body += b'"variables": {"n": 3}, "operationName": null}'
    response = await http.post("/graphql", content=body, headers=headers)
    assert response.json() == {"data": {"members": {"totalCount": 0}}}


@pytest.mark.parametrize(
    "offset",
    ["2147483647", "9" * 20, "1000000", "٣"],
    ids=["int32-max", "20-digits", "a-million", "arabic-indic-digit"],
)
async def test_forged_cursor_offsets_are_invalid_input(
    as_coordinator: GraphQLClient, offset: str
) -> None:
    after = base64.b64encode(f"offset:{offset}".encode()).decode()
    query = "query($after: String) { members(first: 5, after: $after) { totalCount } }"
    body = await as_coordinator(query, after=after)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_INPUT"]  # type: ignore[index, union-attr]


async def test_largest_accepted_cursor_offset(as_coordinator: GraphQLClient) -> None:
    after = base64.b64encode(b"offset:999999").decode()
    query = "query($after: String) { members(first: 5, after: $after) { edges { cursor } } }"
    assert await as_coordinator(query, after=after) == {"data": {"members": {"edges": []}}}


def _fragment_chain(levels: int) -> str:
    """A document whose fragments each spread the next one twice: 2**levels selections."""
    fragments = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return f"query {{ ...F0 }} {fragments} fragment F{levels} on Query {{ __typename }}"


@pytest.mark.parametrize(
    ("document", "introspection"),
    [
        ("{ __schema { types { name } } }", "__schema"),
        ('{ t: __type(name: "Me") { name } }', "__type"),
        ("{ __schema: me { role } __type: __typename }", ""),
        ("{ me(x: __schema) { role } } fragment __type on Query { __typename }", ""),
    ],
    ids=["schema", "aliased-type", "aliases-named-so", "arguments-and-fragment-names"],
)
def test_measure_document_finds_introspection(document: str, introspection: str) -> None:
    assert measure_document(document, max_tokens=2000).introspection == introspection


def test_measure_document_ignores_trailing_whitespace() -> None:
    # Each character of a trailing run used to start a new scan of the rest (60 KiB: 7 s).
    size = measure_document("{ me { role } }" + " ,\n" * 20_000, max_tokens=2000)
    assert (size.tokens, size.fields) == (6, 2)


@pytest.mark.parametrize(
    ("document", "fields", "aliases", "depth"),
    [
        ("{ me { role } }", 2, 0, 1),
        ("{ a: me { role } b: me { r: role } }", 4, 3, 1),
        ("query Q($v: In = {x: {y: 1}}) { m: member(id: $v) @skip(if: false) { id } }", 2, 1, 1),
        ("{ ... on Query { me { role } } ... @include(if: true) { me { memberId } } }", 4, 0, 1),
        ("{ ...F } fragment F on Query { me { role } }", 2, 0, 1),
        ("{ me { ...F } } fragment F on Caller { member { circle { id } } }", 4, 0, 3),
        ("{ __schema { types { fields { type { ofType { name } } } } } }", 6, 0, 0),
        ('{ member(id: "}{ ) ( \\" x: y") { id } } # } {', 2, 0, 1),
        ('{ member(id: """ { "" a: b """) { id } }', 2, 0, 1),
        (_fragment_chain(30), 2**30, 0, 0),
    ],
    ids=[
        "plain",
        "aliases",
        "arguments-and-directives",
        "inline-fragments",
        "fragment",
        "depth-through-fragment",
        "introspection-depth-ignored",
        "braces-in-strings-and-comments",
        "block-string",
        "fragment-chain",
    ],
)
def test_measure_document(document: str, fields: int, aliases: int, depth: int) -> None:
    size = measure_document(document, max_tokens=2000)
    assert (size.fields, size.aliases, size.depth) == (fields, aliases, depth)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{ me { role } }" + " # x\n" * 2000, "more than 2000 tokens"),
        ("{ me { role } } %", "Unexpected character '%'"),
        ("{ me { role }", "unbalanced"),
        ("{ member(id: 1 { id } }", "unbalanced"),
    ],
    ids=["tokens", "stray-character", "unclosed-brace", "unclosed-paren"],
)
def test_measure_document_refuses(document: str, message: str) -> None:
    with pytest.raises(DocumentRefused, match=message) as refused:
        measure_document(document, max_tokens=2000)
    code = "QUERY_TOO_LARGE" if message.startswith("more") else "GRAPHQL_PARSE_FAILED"
    assert refused.value.extensions == {"code": code}


OVER_LIMITS = {
    "1990-typenames": ("{ " + "__typename " * 1990 + "}", "more than 300 fields"),
    "fragment-chain": (_fragment_chain(25), "more than 300 fields"),
    "aliases-in-fragments": (
        "{ ...F ...G } fragment F on Query { "
        + " ".join(f"a{i}: __typename" for i in range(8))
        + " } fragment G on Query { "
        + " ".join(f"b{i}: __typename" for i in range(8))
        + " }",
        "16 aliases found. Allowed: 15",
    ),
}


@pytest.mark.parametrize(("document", "message"), list(OVER_LIMITS.values()), ids=list(OVER_LIMITS))
async def test_documents_over_the_limits_refused_before_parsing(
    as_coordinator: GraphQLClient, document: str, message: str
) -> None:
    response = await as_coordinator.post(document)
    assert response.status_code == 200
    error = _only_error(response)
    assert message in str(error["message"])
    assert error["extensions"] == {"code": "QUERY_TOO_LARGE"}


def _spread(count: int) -> str:
    """`count` fragments that each select `me { role }`, spread side by side."""
    spreads = " ".join(f"...G{i}" for i in range(count))
    fragments = " ".join(f"fragment G{i} on Query {{ me {{ role }} }}" for i in range(count))
    return f"{{ {spreads} }} {fragments}"


def _repeat(count: int, selection: str) -> str:
    return "{ " + " ".join([selection] * count) + " }"


# The worst documents within the token, field, alias and depth limits (bench/refusals.py
# times them): each cost 25 ms to 7 s of CPU before the cost limit, which now refuses them
# before parsing.
EXPENSIVE = {
    "300-same-leaves": _repeat(300, "__typename"),
    "150-same-fields": _repeat(150, "me { role }"),
    "149-same-fields-and-an-unknown": _repeat(149, "me { role }")[:-1] + "nope }",
    "150-fragments-side-by-side": _spread(150),
    "150-conflicting-arguments": "{ "
    + " ".join(f'member(id: "{i}") {{ id }}' for i in range(150))
    + " }",
    "16-by-16-same-fields": _repeat(16, "me { " + "role " * 16 + "}"),
    "300-unknown-fields": "{ " + " ".join(f"f{i}" for i in range(300)) + " }",
    "990-unknown-directives": "{ me " + "@a " * 990 + "{ role } }",
    "490-unused-variables": "query("
    + " ".join(f"$v{i}: Int" for i in range(490))
    + ") { me { role } }",
    "1980-enum-values": "{ isolationReport(minSupporters: 1, componentSize: 1, "
    "includeStatuses: [" + "ACTIVE " * 1980 + "]) { totalCount } }",
    "299-operations": " ".join(f"query Q{i} {{ __typename }}" for i in range(299)),
    "248-chained-fragments": "{ me { ...G0 } } "
    + " ".join(f"fragment G{i} on Me {{ ...G{i + 1} }}" for i in range(248))
    + " fragment G248 on Me { role }",
    "lists-nested-990-deep": "{ me(x: " + "[" * 990 + "]" * 990 + ") { role } }",
    "60-KiB-string": '{ member(id: "' + "x" * 60_000 + '") { id } }',
    "60-KiB-of-whitespace": "{ me { role } }" + " " * 60_000,
}


@pytest.mark.parametrize("document", list(EXPENSIVE.values()), ids=list(EXPENSIVE))
async def test_expensive_documents_within_the_limits_refused_by_cost(
    as_coordinator: GraphQLClient, document: str
) -> None:
    size = measure_document(document, max_tokens=2000)
    assert size.fields <= 300 and size.aliases <= 15 and size.depth <= 10  # within the limits
    error = _only_error(await as_coordinator.post(document))
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX"}
    assert str(error["message"]).startswith("Document too complex: it would cost more")


# Within the cost too: graphql-core's validation refuses them, at a bounded cost.
WITHIN_COST = {
    "50-same-leaves": (_repeat(50, "__typename"), "QUERY_TOO_COMPLEX"),
    "18-same-fields": (_repeat(18, "me { role }"), "QUERY_TOO_COMPLEX"),
    "4-fragments-side-by-side": (
        _spread(4).replace(" }", " nope }", 1),
        "GRAPHQL_VALIDATION_FAILED",
    ),
    "11-conflicting-arguments": (
        "{ " + " ".join(f'member(id: "{i}") {{ id }}' for i in range(11)) + " }",
        "GRAPHQL_VALIDATION_FAILED",
    ),
    "40-unknown-fields": (
        "{ " + " ".join(f"f{i}" for i in range(40)) + " }",
        "GRAPHQL_VALIDATION_FAILED",
    ),
    "comments-and-an-unknown-field": (
        "{ me { rol } }\n" + "# padding\n" * 1990,
        "GRAPHQL_VALIDATION_FAILED",
    ),
    "bad-grammar-after-comments": ("# a\n" * 1000 + "{ me { role } : }", "GRAPHQL_PARSE_FAILED"),
}


@pytest.mark.parametrize(("document", "code"), list(WITHIN_COST.values()), ids=list(WITHIN_COST))
async def test_documents_within_the_cost_refused_by_graphql_core_with_a_code(
    as_coordinator: GraphQLClient, document: str, code: str
) -> None:
    assert measure_document(document, max_tokens=2000).cost <= MAX_COST
    body = await as_coordinator(document)
    errors = body["errors"]
    assert body.get("data") is None and errors, body
    assert [e["extensions"]["code"] for e in errors] == [code] * len(errors)  # type: ignore[index, union-attr]
    assert len(errors) <= MAX_ERRORS + 1  # type: ignore[arg-type]  # + "Too many validation errors"


async def test_same_fields_over_the_overlap_budget_are_too_complex_to_validate(
    as_coordinator: GraphQLClient,
) -> None:
    error = _only_error(await as_coordinator.post(_repeat(50, "__typename")))
    assert str(error["message"]).startswith("Document too complex to validate")
    # Under the budget, the same rule still refuses fields that cannot be merged.
    body = await as_coordinator("{ me { role } me { role: memberId } }")
    assert "conflict because 'role' and 'memberId' are different fields" in str(body["errors"])


@pytest.mark.parametrize(
    "document",
    [_repeat(300, "__typename"), _spread(150), _repeat(150, "me { role }")],
    ids=["300-same-leaves", "150-fragments", "150-same-fields"],
)
def test_validation_alone_stays_bounded(document: str) -> None:
    # Behind the cost limit, in case it is raised: the overlap rule stops at its budget.
    schema = build_schema()._schema
    errors = validate_bounded(schema, parse(document), specified_rules, hide_suggestions=True)
    assert [e.extensions for e in errors] == [{"code": "QUERY_TOO_COMPLEX"}]


def test_validation_reports_few_errors_and_no_suggestions() -> None:
    document = parse("{ " + " ".join(f"me{i}" for i in range(300)) + " }")
    errors = validate_bounded(
        build_schema()._schema, document, specified_rules, hide_suggestions=True
    )
    assert len(errors) == MAX_ERRORS + 1
    assert not any("Did you mean" in e.message for e in errors)
    assert errors[-1].message.startswith("Too many validation errors")


@pytest.mark.parametrize(
    ("document", "cost"),
    [
        ("{ me { role } }", 26),
        (nested(10), 71),
        (tokens(2000), 150),
        (aliased(15), 169),
        # The largest query of the tests (test_help.py).
        (
            """
mutation($from: ID!, $to: ID!, $on: Date!, $kind: HelpKind!) {
  recordHelp(input: {fromMemberId: $from, toMemberId: $to, on: $on, kind: $kind}) {
    help { id confirmed kind from { id } to { id } } userErrors { field code }
  }
}
""",
            110,
        ),
    ],
    ids=["small", "depth-10", "2000-tokens-of-comments", "15-aliases", "largest-test-query"],
)
def test_ordinary_documents_stay_within_the_cost(document: str, cost: int) -> None:
    assert measure_document(document, max_tokens=2000).cost == cost <= MAX_COST


def test_comments_are_cut_before_parsing_keeping_lines_and_columns() -> None:
    document = '# first\n{ member(id: "#1") { # second\n  id } }  # third'
    size = measure_document(document, max_tokens=2000)
    assert size.text == '\n{ member(id: "#1") { \n  id } }  '
    assert size.tokens == 14  # graphql-core counts comments as tokens too
    schema = build_schema()._schema
    original = validate(schema, parse(document.replace("id }", "nope }")))
    cut = validate(schema, parse(size.text.replace("id }", "nope }")))
    assert [e.locations for e in cut] == [e.locations for e in original] != []


async def test_production_refuses_introspection_before_parsing(
    serve: Callable[[Settings], RunningServer], make_settings: Callable[..., Settings]
) -> None:
    server = serve(make_settings(env="production"))
    async with httpx.AsyncClient(base_url=server.url) as http:
        client = GraphQLClient(http, token_for(Role.COORDINATOR))
        refused = _only_error(await client.post(get_introspection_query()))
        assert refused["extensions"] == {"code": "INTROSPECTION_DISABLED"}
        assert "contained the field '__schema'" in str(refused["message"])
        # An alias named like an introspection field is no introspection.
        assert await client("{ __schema: me { role } }") == {
            "data": {"__schema": {"role": "COORDINATOR"}}
        }


async def test_field_limit_follows_the_setting(
    serve: Callable[[Settings], RunningServer], make_settings: Callable[..., Settings]
) -> None:
    server = serve(make_settings(graphql_max_fields=5))
    async with httpx.AsyncClient(base_url=server.url) as http:
        client = GraphQLClient(http, token_for(Role.COORDINATOR))
        accepted = await client("{ me { role memberId collegeId } t: __typename }")
        assert "errors" not in accepted, accepted
        refused = await client("{ me { role memberId collegeId } t: __typename u: __typename }")
        assert "more than 5 fields" in str(refused["errors"][0]["message"])  # type: ignore[index]


async def test_introspection_query_stays_within_the_limits(as_coordinator: GraphQLClient) -> None:
    body = await as_coordinator(get_introspection_query())
    assert "errors" not in body and body["data"]["__schema"]["queryType"]  # type: ignore[index]


async def test_rate_limit_keyed_on_the_verified_caller_not_the_header(
    serve: Callable[[Settings], RunningServer], make_settings: Callable[..., Settings]
) -> None:
    server = serve(make_settings(rate_limit_per_minute=3, ip_rate_limit_per_minute=1000))
    member = to_global_id("Member", "m1")
    token = token_for(Role.MEMBER, member_id=member)
    async with httpx.AsyncClient(base_url=server.url) as http:

        async def status(authorization: str) -> int:
            headers = {"Authorization": authorization}
            return (await http.post("/graphql", json={"query": ME}, headers=headers)).status_code

        for header in (f"Bearer {token}", f"bearer {token}", f"BEARER   {token}"):
            assert await status(header) == 200
        assert await status(f"Bearer {token}") == 429
        assert await status(f"bEaReR {token}") == 429
        # Another token for the same member is the same caller with the same budget.
        again = issue_token(SECRET, Role.MEMBER, member_id=member, now=time.time() - 60)
        assert again != token and await status(f"Bearer {again}") == 429
        other = token_for(Role.MEMBER, member_id=to_global_id("Member", "m2"))
        assert await status(f"Bearer {other}") == 200


async def test_invalid_tokens_share_the_client_address_bucket(
    serve: Callable[[Settings], RunningServer], make_settings: Callable[..., Settings]
) -> None:
    server = serve(make_settings(rate_limit_per_minute=3, ip_rate_limit_per_minute=1000))
    async with httpx.AsyncClient(base_url=server.url) as http:
        statuses = [
            (
                await http.post(
                    "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer junk{n}"}
                )
            ).status_code
            for n in range(5)
        ]
    assert statuses == [401, 401, 401, 429, 429]


@contextmanager
def _serving(app: ASGIApp) -> Iterator[str]:
    """Serve an ASGI app over real HTTP on loopback until the block ends."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


async def _boom(request: Request) -> Response:
    raise RuntimeError("cypher: MATCH (secret) bolt://internal")


def _failing_middleware(app: ASGIApp) -> ASGIApp:
    async def fail(scope: object, receive: object, send: object) -> None:
        raise KeyError("internal state")

    return fail


async def test_unexpected_exceptions_anywhere_are_masked_json_500s(
    make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings()
    in_a_route = Starlette(
        routes=[Route("/boom", _boom)],
        middleware=[Middleware(RequestLogMiddleware), *hardening_middleware(settings)],
    )
    # Below the request log, but above every other middleware.
    around_everything = RequestLogMiddleware(_failing_middleware(in_a_route))
    for app in (in_a_route, around_everything):
        with _serving(app) as url:
            async with httpx.AsyncClient(base_url=url) as http:
                response = await http.get("/boom")
        _assert_masked_json(response, 500, "INTERNAL_SERVER_ERROR")
        assert _only_error(response)["message"] == "Unexpected error"
        assert "cypher" not in response.text.lower() and "internal" not in response.text
    logged = [r for r in caplog.records if r.exc_info and getattr(r, "request_id", None)]
    assert len(logged) == 2  # the log has the traceback, with the id the client quotes
