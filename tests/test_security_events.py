"""Request ids the caller cannot choose, and refusals recorded as security events."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from graph_service.auth import Principal, Role
from graph_service.ids import from_global_id
from graph_service.logs import JsonFormatter, client_request_id_var, request_id_var
from graph_service.security_events import OVERFLOW_REASON, SecurityEventBuffer, SecurityEventKind
from graph_service.services import Services
from graph_service.services.security import FLUSH_SECONDS, SecurityEventService
from graph_service.settings import Settings
from graph_service.store import Store
from tests.conftest import (
    REGISTER,
    GraphQLClient,
    RunningServer,
    running,
    signin_secret,
    token_for,
)

Register = Callable[[str], Awaitable[str]]
BOSS = Principal(Role.COORDINATOR, subject="coordinator:test")
AUDIT = """
query($target: String) {
  auditLog(first: 10, targetId: $target) { edges { node { action requestId clientRequestId } } }
}
"""
SECURITY = """
query($kind: SecurityEventKind) {
  securityEvents(first: 50, kind: $kind) {
    totalCount
    edges { node { at lastAt kind reason actorId clientHash requestId count } }
  }
}
"""


async def _events(client: GraphQLClient, kind: str | None = None) -> list[dict[str, Any]]:
    body = await client(SECURITY, kind=kind)
    assert "errors" not in body, body
    return [edge["node"] for edge in body["data"]["securityEvents"]["edges"]]  # type: ignore[index]


async def _register_with(http: httpx.AsyncClient, request_id: str) -> httpx.Response:
    return await http.post(
        "/graphql",
        json={"query": REGISTER, "variables": {"name": "Aoife"}},
        headers={
            "Authorization": f"Bearer {token_for(Role.COORDINATOR)}",
            "X-Request-ID": request_id,
        },
    )


async def test_the_caller_cannot_choose_the_request_id_in_the_trail(
    http: httpx.AsyncClient, as_coordinator: GraphQLClient
) -> None:
    response = await _register_with(http, "chosen-by-caller:1")
    served = response.headers["x-request-id"]
    assert served != "chosen-by-caller:1" and len(served) == 32
    assert response.headers["x-client-request-id"] == "chosen-by-caller:1"
    member = response.json()["data"]["registerMember"]["member"]["id"]
    trail = await as_coordinator(AUDIT, target=member)
    event = trail["data"]["auditLog"]["edges"][0]["node"]  # type: ignore[index]
    assert event == {
        "action": "member.register",
        "requestId": served,
        "clientRequestId": "chosen-by-caller:1",
    }


async def test_a_bad_client_request_id_is_dropped(
    http: httpx.AsyncClient, as_coordinator: GraphQLClient
) -> None:
    response = await _register_with(http, "<script>alert(1)</script>")
    assert "x-client-request-id" not in response.headers
    assert "script" not in response.headers["x-request-id"]
    member = response.json()["data"]["registerMember"]["member"]["id"]
    trail = await as_coordinator(AUDIT, target=member)
    event = trail["data"]["auditLog"]["edges"][0]["node"]  # type: ignore[index]
    assert event["requestId"] == response.headers["x-request-id"]
    assert event["clientRequestId"] is None


def test_the_log_names_both_request_ids() -> None:
    record = logging.LogRecord("t", logging.INFO, "", 0, "hello", None, None)
    ours, theirs = request_id_var.set("a" * 32), client_request_id_var.set("lb-7")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        client_request_id_var.reset(theirs)
        request_id_var.reset(ours)
    assert (line["request_id"], line["client_request_id"]) == ("a" * 32, "lb-7")


async def test_a_forbidden_field_is_listed_to_coordinators(
    http: httpx.AsyncClient,
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Register,
) -> None:
    a = await register("Aoife")
    refused = await as_member(a).post("{ auditLog(first: 1) { totalCount } }")
    assert [e["extensions"]["code"] for e in refused.json()["errors"]] == ["FORBIDDEN"]
    events = await _events(as_coordinator, "FORBIDDEN")
    assert len(events) == 1
    event = events[0]
    assert (event["kind"], event["reason"], event["actorId"], event["count"]) == (
        "FORBIDDEN",
        "graphql auditLog: only coordinators may do this",
        a,
        1,
    )
    assert event["requestId"] == refused.headers["x-request-id"]
    assert len(event["clientHash"]) == 16 and "127.0.0.1" not in json.dumps(events)
    assert "Aoife" not in json.dumps(events)


async def test_a_refused_token_is_listed_without_its_text(
    http: httpx.AsyncClient, as_coordinator: GraphQLClient
) -> None:
    refused = await http.post(
        "/graphql",
        json={"query": "{ me { role } }"},
        headers={"Authorization": "Bearer not-a-token-at-all"},
    )
    assert refused.status_code == 401
    events = await _events(as_coordinator, "UNAUTHENTICATED")
    assert [(e["reason"], e["actorId"], e["count"]) for e in events] == [
        ("graphql: the token is malformed", None, 1)
    ]
    assert events[0]["requestId"] == refused.headers["x-request-id"]
    assert events[0]["clientHash"] and "not-a-token" not in json.dumps(events)
    # The coordinator's own listing is no refusal: the FORBIDDEN list stays empty.
    assert await _events(as_coordinator, "FORBIDDEN") == []


async def test_members_and_colleges_cannot_list_them(
    as_member: Callable[[str], GraphQLClient], as_college: GraphQLClient, register: Register
) -> None:
    a = await register("Aoife")
    for client in (as_member(a), as_college):
        body = await client(SECURITY)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]  # type: ignore[union-attr]
        assert body["data"] is None


async def test_a_thousand_bad_tokens_write_a_bounded_number_of_nodes(
    serve: Callable[[Settings], RunningServer],
    make_settings: Callable[..., Settings],
    store: Store,
) -> None:
    server = serve(make_settings(rate_limit_per_minute=0, ip_rate_limit_per_minute=0))
    app_store: Store = server.app.state.store  # type: ignore[attr-defined]
    before = app_store.statements
    started = time.monotonic()
    gate = asyncio.Semaphore(16)
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:

        async def attempt(i: int) -> int:
            async with gate:
                response = await client.post(
                    "/graphql",
                    json={"query": "{ me { role } }"},
                    headers={"Authorization": f"Bearer forged.{i}.token"},
                )
                return response.status_code

        statuses = await asyncio.gather(*(attempt(i) for i in range(1000)))
        assert statuses == [401] * 1000
        # Noting a refusal runs no statement: only the background flushes (one each
        # FLUSH_SECONDS, however many refusals) and start-up's housekeeping ran.
        flushes = math.ceil((time.monotonic() - started) / FLUSH_SECONDS)
        assert app_store.statements - before <= 5 + flushes
        events = await _events(GraphQLClient(client, token_for(Role.COORDINATOR)))
    # One record per minute (two if the run crossed a minute), counting every refusal.
    assert 1 <= len(events) <= 2
    assert sum(e["count"] for e in events) == 1000
    assert {e["reason"] for e in events} == {"graphql: the token is malformed"}
    rows = await store.read("MATCH (e:SecurityEvent) RETURN count(e) AS nodes")
    assert rows[0]["nodes"] == len(events)


async def test_refused_pages_and_sign_in_links_are_listed(
    server: RunningServer,
    store: Store,
    register: Register,
    as_coordinator: GraphQLClient,
) -> None:
    a = await register("Aoife")
    async with httpx.AsyncClient(base_url=server.url) as browser:
        assert (await browser.get("/signin/" + "z" * 43)).status_code == 400
        secret = await signin_secret(store, Role.MEMBER, member_id=from_global_id(a, "Member"))
        assert (await browser.get(f"/signin/{secret}")).status_code == 303
        assert (await browser.get("/load")).status_code == 403
    events = {e["reason"]: e for e in await _events(as_coordinator)}
    assert set(events) == {
        "page GET /signin/{secret}: sign-in link not valid",
        "page GET /load: not for this role",
    }
    assert events["page GET /load: not for this role"]["actorId"] == a
    assert "z" * 43 not in json.dumps(events)


async def test_waiting_events_are_written_at_shutdown(
    make_settings: Callable[..., Settings], store: Store
) -> None:
    with running(make_settings()) as server:
        async with httpx.AsyncClient(base_url=server.url) as client:
            refused = await client.post("/graphql", json={"query": "{ me { role } }"})
            assert refused.status_code == 401
    page = await Services.build(store).security.log(BOSS, offset=0, limit=10)
    assert [(e.kind, e.count, e.request_id) for e in page.items] == [
        (SecurityEventKind.UNAUTHENTICATED, 1, refused.headers["x-request-id"])
    ]


async def test_a_failed_write_is_logged_and_kept_not_raised() -> None:
    # Nothing listens on port 1: every write fails at once.
    unreachable = Store.connect("bolt://127.0.0.1:1", "x", "y", None)
    try:
        service = SecurityEventService(unreachable)
        service.note(SecurityEventKind.FORBIDDEN, "graphql auditLog: test", client="10.0.0.1")
        assert await service.flush() == 0
        assert len(service.buffer) == 1  # kept for the next flush
    finally:
        await unreachable.close()


def test_the_buffer_is_bounded_however_many_sources() -> None:
    from datetime import UTC, datetime

    buffer = SecurityEventBuffer(max_keys=10)
    at = datetime(2025, 1, 1, 12, 0, 30, tzinfo=UTC)
    for i in range(10_000):
        buffer.note(
            SecurityEventKind.UNAUTHENTICATED,
            "graphql: the token is malformed",
            at=at,
            actor_id=None,
            client=f"client-{i}",
            request_id=f"r{i}",
        )
    events = buffer.drain()
    assert len(events) == 11 and sum(e.count for e in events) == 10_000
    overflow = [e for e in events if e.reason == OVERFLOW_REASON]
    assert [e.count for e in overflow] == [9_990]
    assert len(buffer) == 0


async def test_the_command_line_lists_them(settings: Settings, store: Store) -> None:
    from graph_service.cli.reports import _security_events

    service = Services.build(store).security
    service.note(SecurityEventKind.FORBIDDEN, "page GET /load: not for this role")
    assert await service.flush() == 1
    events = await _security_events(settings, SecurityEventKind.FORBIDDEN, 10)
    assert [(e.reason, e.count) for e in events] == [("page GET /load: not for this role", 1)]
    assert await _security_events(settings, SecurityEventKind.UNAUTHENTICATED, 10) == []
