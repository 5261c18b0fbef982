"""Health, readiness, request ids and production mode over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from graph_service.auth import Role
from graph_service.engine import EmbeddedEngine
from graph_service.settings import Settings
from tests.conftest import GraphQLClient, RunningServer, token_for


async def test_healthz(http: httpx.AsyncClient) -> None:
    response = await http.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_when_graph_answers(http: httpx.AsyncClient) -> None:
    response = await http.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ready"})


async def test_readyz_503_after_engine_stops(
    serve: Callable[[Settings], RunningServer],
    make_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    engine = EmbeddedEngine(tmp_path / "own")
    engine.start()
    try:
        server = serve(
            make_settings(
                graph_uri=engine.bolt_uri,
                graph_user=engine.user,
                graph_password=engine.password,
                graph_database=engine.database,
            )
        )
        async with httpx.AsyncClient(base_url=server.url) as client:
            assert (await client.get("/readyz")).status_code == 200
            engine.stop()
            response = await client.get("/readyz")
            assert response.status_code == 503
            assert response.json() == {
                "status": "unavailable",
                "reason": "the graph server cannot be reached",
            }
            assert (await client.get("/healthz")).status_code == 200
    finally:
        engine.stop()


async def test_request_id_generated_and_echoed(http: httpx.AsyncClient) -> None:
    first = (await http.get("/healthz")).headers["x-request-id"]
    second = (await http.get("/healthz")).headers["x-request-id"]
    assert len(first) == 32 and first != second


async def test_caller_request_id_is_kept_apart_when_valid(http: httpx.AsyncClient) -> None:
    response = await http.get("/healthz", headers={"X-Request-ID": "lb-1234.abc:7"})
    # X-Request-ID is always the server's; the caller's own comes back under another name.
    assert response.headers["x-request-id"] != "lb-1234.abc:7"
    assert len(response.headers["x-request-id"]) == 32
    assert response.headers["x-client-request-id"] == "lb-1234.abc:7"
    for hostile in ('a b"<script>', "x" * 65, "a/b"):
        refused = await http.get("/healthz", headers={"X-Request-ID": hostile})
        assert "x-client-request-id" not in refused.headers
        assert hostile not in refused.headers["x-request-id"]


async def test_production_serves_no_graphiql(
    serve: Callable[[Settings], RunningServer], make_settings: Callable[..., Settings]
) -> None:
    server = serve(make_settings(env="production"))
    async with httpx.AsyncClient(base_url=server.url) as client:
        page = await client.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 401
        client_ = GraphQLClient(client, token_for(Role.COORDINATOR))
        assert await client_("{ me { role } }") == {"data": {"me": {"role": "COORDINATOR"}}}
