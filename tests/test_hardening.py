"""Hardening over real HTTP: GraphQL limits, transport, rate, size, time, headers, CORS."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from graph_service.auth import Role
from graph_service.errors import ConfigurationError
from graph_service.ids import to_global_id
from graph_service.ratelimit import MAX_TRACKED_KEYS, RateLimiter
from graph_service.settings import Settings
from tests.conftest import GraphQLClient, RunningServer, token_for

ME = "{ me { role } }"
COORDINATOR = {"Authorization": f"Bearer {token_for(Role.COORDINATOR)}"}
ORIGIN = "https://app.example.org"
INTERNALS = ("bolt", "neo4j", "cypher", "traceback", "arcadedb")


def nested(depth: int) -> str:
    """A valid query `depth` object levels deep: me, member, circle, member, circle, ..."""
    fields = (["me", "member"] + ["circle", "member"] * depth)[:depth]
    selection = "id"
    for field in reversed(fields):
        selection = f"{field} {{ {selection} }}"
    return f"{{ {selection} }}"


def aliased(count: int) -> str:
    """A query with `count` aliases."""
    return "{ " + " ".join(f"a{i}: me {{ role }}" for i in range(count)) + " }"


def tokens(count: int) -> str:
    """A query of exactly `count` tokens: `{ me { role } }` is 6, each comment line one more."""
    # Comments, because thousands of repeated fields overflow graphql-core's validation first.
    return "{ me { role } }\n" + "# padding\n" * (count - 6)


def errors(body: dict[str, object]) -> list[dict[str, object]]:
    """The errors of a GraphQL response (none: empty)."""
    return body.get("errors") or []  # type: ignore[return-value]


def codes(body: dict[str, object]) -> list[object]:
    """The extension codes of a response's errors."""
    return [e.get("extensions", {}).get("code") for e in errors(body)]  # type: ignore[attr-defined]


@pytest.fixture
async def production(
    serve: Callable[[Settings], RunningServer], make_settings: Callable[..., Settings]
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on a server running with ENV=production."""
    server = serve(make_settings(env="production"))
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield client


async def test_depth_limit_accepts_10_refuses_11(as_coordinator: GraphQLClient) -> None:
    assert errors(await as_coordinator(nested(10))) == []
    refused = await as_coordinator(nested(11))
    assert "exceeds maximum operation depth of 10" in str(errors(refused)[0]["message"])
    assert refused.get("data") is None


async def test_alias_limit_accepts_15_refuses_16(as_coordinator: GraphQLClient) -> None:
    accepted = await as_coordinator(aliased(15))
    assert errors(accepted) == [] and len(accepted["data"]) == 15  # type: ignore[arg-type]
    refused = await as_coordinator(aliased(16))
    assert "16 aliases found. Allowed: 15" in str(errors(refused)[0]["message"])


async def test_token_limit_accepts_2000_refuses_2001(as_coordinator: GraphQLClient) -> None:
    assert errors(await as_coordinator(tokens(2000))) == []
    refused = await as_coordinator(tokens(2001))
    assert "more than 2000 tokens" in str(errors(refused)[0]["message"])


async def test_limits_follow_the_settings(
    serve: Callable[[Settings], RunningServer], make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(graphql_max_depth=3, graphql_max_aliases=1, graphql_max_tokens=20)
    async with httpx.AsyncClient(base_url=serve(settings).url) as http:
        client = GraphQLClient(http, token_for(Role.COORDINATOR))
        assert errors(await client(nested(3))) == []
        assert "depth of 3" in str(errors(await client(nested(4)))[0]["message"])
        assert errors(await client(aliased(1))) == []
        assert "Allowed: 1" in str(errors(await client(aliased(2)))[0]["message"])
        assert errors(await client(tokens(20))) == []
        assert "more than 20 tokens" in str(errors(await client(tokens(21)))[0]["message"])


async def test_page_size_accepts_100_refuses_101(as_coordinator: GraphQLClient) -> None:
    query = "query($n: Int!) { members(first: $n) { totalCount } }"
    assert await as_coordinator(query, n=100) == {"data": {"members": {"totalCount": 0}}}
    assert codes(await as_coordinator(query, n=101)) == ["INVALID_INPUT"]


def _padded(size: int) -> bytes:
    """A JSON request body of exactly `size` bytes (trailing whitespace is valid JSON)."""
    body = json.dumps({"query": ME}).encode()
    return body + b" " * (size - len(body))


async def test_body_size_accepts_64_kib_refuses_one_byte_more(http: httpx.AsyncClient) -> None:
    headers = {**COORDINATOR, "Content-Type": "application/json"}
    accepted = await http.post("/graphql", content=_padded(65536), headers=headers)
    assert accepted.status_code == 200, accepted.text
    refused = await http.post("/graphql", content=_padded(65537), headers=headers)
    assert refused.status_code == 413
    assert codes(refused.json()) == ["PAYLOAD_TOO_LARGE"]


async def test_body_size_counted_when_streamed_without_length(http: httpx.AsyncClient) -> None:
    async def chunks(size: int) -> AsyncIterator[bytes]:
        body = _padded(size)
        for start in range(0, len(body), 4096):
            yield body[start : start + 4096]

    headers = {**COORDINATOR, "Content-Type": "application/json"}
    accepted = await http.post("/graphql", content=chunks(65536), headers=headers)
    assert "content-length" not in accepted.request.headers
    assert accepted.status_code == 200, accepted.text
    refused = await http.post("/graphql", content=chunks(65537), headers=headers)
    assert refused.status_code == 413


async def test_production_refuses_introspection(production: httpx.AsyncClient) -> None:
    client = GraphQLClient(production, token_for(Role.COORDINATOR))
    for query in ("{ __schema { types { name } } }", '{ __type(name: "Member") { name } }'):
        body = await client(query)
        assert body.get("data") is None
        assert "introspection" in str(errors(body)[0]["message"]).lower()
    # __typename is not introspection of the schema: clients need it for unions.
    assert await client("{ me { __typename } }") == {"data": {"me": {"__typename": "Me"}}}


async def test_development_allows_introspection(as_coordinator: GraphQLClient) -> None:
    body = await as_coordinator('{ __type(name: "Member") { name } }')
    assert body == {"data": {"__type": {"name": "Member"}}}


@pytest.mark.parametrize(
    ("query", "variables", "hinted_in_development"),
    [
        ("{ me { rol } }", {}, True),
        ("{ members(frist: 1) { totalCount } }", {}, True),
        ("query($n: Itn) { members(first: $n) { totalCount } }", {}, True),
        ("{ members(status: ACTIV) { totalCount } }", {}, True),
        ("query($s: MemberStatus) { members(status: $s) { totalCount } }", {"s": "ACTIV"}, True),
    ],
    ids=["field", "argument", "type", "enum-literal", "enum-variable"],
)
async def test_production_gives_no_suggestions(
    production: httpx.AsyncClient,
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, object],
    hinted_in_development: bool,
) -> None:
    development = await GraphQLClient(http, token_for(Role.COORDINATOR))(query, **variables)
    hinted = "Did you mean" in " ".join(str(e["message"]) for e in errors(development))
    assert hinted == hinted_in_development
    body = await GraphQLClient(production, token_for(Role.COORDINATOR))(query, **variables)
    messages = " ".join(str(e["message"]) for e in errors(body))
    assert messages and "did you mean" not in messages.lower()


async def test_operations_only_by_json_post(http: httpx.AsyncClient) -> None:
    mutation = 'mutation { registerMember(input: {displayName: "Eve"}) { member { id } } }'
    get_mutation = await http.get("/graphql", params={"query": mutation}, headers=COORDINATOR)
    assert get_mutation.status_code == 405 and get_mutation.headers["allow"] == "POST"
    get_query = await http.get("/graphql", params={"query": ME}, headers=COORDINATOR)
    assert get_query.status_code == 405
    form = await http.post("/graphql", data={"query": mutation}, headers=COORDINATOR)
    assert form.status_code == 415 and codes(form.json()) == ["UNSUPPORTED_MEDIA_TYPE"]
    operations = json.dumps({"query": mutation})
    multipart = await http.post(
        "/graphql", files={"operations": (None, operations)}, headers=COORDINATOR
    )
    assert multipart.status_code == 415
    text = await http.post(
        "/graphql", content=operations, headers={**COORDINATOR, "Content-Type": "text/plain"}
    )
    assert text.status_code == 415
    # Nothing was registered along the way.
    count = await GraphQLClient(http, token_for(Role.COORDINATOR))("{ members { totalCount } }")
    assert count == {"data": {"members": {"totalCount": 0}}}
    # JSON with a charset parameter is still JSON.
    charset = await http.post(
        "/graphql",
        content=json.dumps({"query": ME}),
        headers={**COORDINATOR, "Content-Type": "application/json; charset=utf-8"},
    )
    assert charset.json() == {"data": {"me": {"role": "COORDINATOR"}}}


async def test_forged_form_post_without_token_is_401(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", data={"query": ME})
    assert response.status_code == 401


async def test_operation_batching_refused(http: httpx.AsyncClient) -> None:
    batch = [{"query": ME}, {"query": "{ me { memberId } }"}]
    response = await http.post("/graphql", json=batch, headers=COORDINATOR)
    assert response.status_code == 400
    assert "batching" in response.text.lower()


def _member_token(number: int) -> str:
    return token_for(Role.MEMBER, member_id=to_global_id("Member", f"m{number}"))


async def test_rate_limit_per_token(
    serve: Callable[[Settings], RunningServer], make_settings: Callable[..., Settings]
) -> None:
    server = serve(make_settings(rate_limit_per_minute=3, ip_rate_limit_per_minute=100))
    async with httpx.AsyncClient(base_url=server.url) as http:
        first, second = GraphQLClient(http, _member_token(1)), GraphQLClient(http, _member_token(2))
        for _ in range(3):
            assert (await first.post(ME)).status_code == 200
        refused = await first.post(ME)
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 20
        assert codes(refused.json()) == ["RATE_LIMITED"]
        assert (await second.post(ME)).status_code == 200  # another token has its own budget


async def test_rate_limit_per_ip(
    serve: Callable[[Settings], RunningServer], make_settings: Callable[..., Settings]
) -> None:
    server = serve(make_settings(rate_limit_per_minute=100, ip_rate_limit_per_minute=3))
    async with httpx.AsyncClient(base_url=server.url) as http:
        for number in range(3):
            assert (await GraphQLClient(http, _member_token(number)).post(ME)).status_code == 200
        refused = await GraphQLClient(http, _member_token(99)).post(ME)
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert (await http.post("/graphql", json={"query": ME})).status_code == 429  # no token
        assert (await http.get("/healthz")).status_code == 200  # probes are never throttled
        assert (await http.get("/readyz")).status_code == 200


SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


async def test_security_headers_in_development(http: httpx.AsyncClient) -> None:
    for response in (
        await http.post("/graphql", json={"query": ME}, headers=COORDINATOR),
        await http.post("/graphql", json={"query": ME}),  # 401
        await http.get("/healthz"),
    ):
        assert SECURITY_HEADERS.items() <= response.headers.items()
        assert response.headers["content-security-policy"] == (
            "default-src 'none'; frame-ancestors 'none'"
        )
        assert response.headers["cache-control"] == "no-store"
        assert "strict-transport-security" not in response.headers


async def test_graphiql_page_policy_admits_its_scripts_only(http: httpx.AsyncClient) -> None:
    page = await http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert SECURITY_HEADERS.items() <= page.headers.items()
    policy = dict(
        part.strip().split(" ", 1) for part in page.headers["content-security-policy"].split(";")
    )
    assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    scripts = policy["script-src"].split()
    assert "'self'" in scripts and "'unsafe-inline'" not in scripts
    for src in re.findall(r'<script[^>]*\bsrc="([^"]+)"', page.text):
        assert src.startswith("/static/graphiql/")
    inline = re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL)
    assert inline
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in scripts


async def test_security_headers_in_production(production: httpx.AsyncClient) -> None:
    for response in (
        await production.post("/graphql", json={"query": ME}, headers=COORDINATOR),
        await production.get("/graphql", headers={"Accept": "text/html"}),  # no GraphiQL: 401
        await production.get("/readyz"),
    ):
        assert SECURITY_HEADERS.items() <= response.headers.items()
        assert response.headers["content-security-policy"] == (
            "default-src 'none'; frame-ancestors 'none'"
        )
        assert response.headers["strict-transport-security"].startswith("max-age=")
        assert response.headers["cache-control"] == "no-store"


async def test_cors_closed_by_default(http: httpx.AsyncClient) -> None:
    simple = await http.post(
        "/graphql", json={"query": ME}, headers={**COORDINATOR, "Origin": ORIGIN}
    )
    assert simple.status_code == 200
    assert "access-control-allow-origin" not in simple.headers
    preflight = await http.options(
        "/graphql",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers


async def test_cors_open_for_configured_origins(
    serve: Callable[[Settings], RunningServer], make_settings: Callable[..., Settings]
) -> None:
    server = serve(make_settings(cors_origins=f"{ORIGIN}, http://localhost:5173"))
    async with httpx.AsyncClient(base_url=server.url) as http:
        preflight = await http.options(
            "/graphql",
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == ORIGIN
        assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
        simple = await http.post(
            "/graphql", json={"query": ME}, headers={**COORDINATOR, "Origin": ORIGIN}
        )
        assert simple.headers["access-control-allow-origin"] == ORIGIN
        assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()
        other = await http.post(
            "/graphql",
            json={"query": ME},
            headers={**COORDINATOR, "Origin": "https://evil.example"},
        )
        assert "access-control-allow-origin" not in other.headers


async def test_request_timeout_answered_with_504(
    serve: Callable[[Settings], RunningServer], make_settings: Callable[..., Settings]
) -> None:
    server = serve(make_settings(request_timeout=0.001))
    async with httpx.AsyncClient(base_url=server.url) as http:
        response = await GraphQLClient(http, token_for(Role.COORDINATOR)).post(
            "{ members(first: 100) { totalCount edges { node { id circle { id } } } } }"
        )
        assert response.status_code == 504
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert codes(body) == ["TIMEOUT"]
        assert errors(body)[0]["extensions"]["requestId"] == response.headers["x-request-id"]  # type: ignore[index]
        assert SECURITY_HEADERS.items() <= response.headers.items()


async def test_unexpected_error_masked_with_the_logged_request_id(
    http: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A bug below the API (the graph going away is not one: that is a 503, see test_faults).
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bolt neo4j cypher arcadedb internals")

    monkeypatch.setattr("graph_service.services.members.MemberService.page", broken)
    caplog.set_level(logging.ERROR, logger="graph_service.api")
    response = await GraphQLClient(http, token_for(Role.COORDINATOR)).post(
        "{ members(first: 1) { totalCount } }"
    )
    request_id = response.headers["x-request-id"]
    body = response.json()
    assert errors(body) == [
        {
            "message": "Unexpected error",
            "locations": [{"line": 1, "column": 3}],
            "path": ["members"],
            "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        }
    ]
    assert not any(word in response.text.lower() for word in INTERNALS)
    logged = [r for r in caplog.records if r.name == "graph_service.api"]
    assert [getattr(r, "request_id", None) for r in logged] == [request_id]
    assert logged[0].exc_info is not None  # the log, not the client, has the traceback


def test_rate_limiter_refills_and_stays_bounded() -> None:
    limiter = RateLimiter(per_minute=60)  # one a second, a burst of 60
    for _ in range(60):
        assert limiter.wait("k", now=0.0) == 0
        limiter.take("k", now=0.0)
    assert limiter.wait("k", now=0.0) == pytest.approx(1.0)
    assert limiter.wait("k", now=1.0) == 0
    for number in range(MAX_TRACKED_KEYS + 1):
        limiter.take(f"ip-{number}", now=2.0)
    assert len(limiter._buckets) <= MAX_TRACKED_KEYS // 2 + 1
    assert limiter.wait(f"ip-{MAX_TRACKED_KEYS}", now=2.0) == 0  # the newest are kept


def test_cors_origins_read_from_a_comma_separated_list(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(cors_origins=" https://a.example.org,http://localhost:5173 ,")
    assert settings.cors_origins == ["https://a.example.org", "http://localhost:5173"]
    assert make_settings().cors_origins == []
    with pytest.raises(ConfigurationError, match=r"CORS_ORIGINS: .*got 'https://a.example.org/'"):
        make_settings(cors_origins="https://a.example.org/")
