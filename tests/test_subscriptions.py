"""GraphQL subscriptions over WebSocket: coordinators hear of isolation changes as they commit;
everyone else is refused; the hardening rules and shutdown hold for subscriptions too."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus

from graph_service.auth import Role
from graph_service.ids import to_global_id
from graph_service.settings import Settings
from graph_service.store import Store
from graph_service.store.audit import events
from tests.conftest import GraphQLClient, RunningServer, token_for
from tests.live_clients import ISOLATION_CHANGED, bearer, socket, watching

Register = Callable[[str], Awaitable[str]]
Add = Callable[..., Awaitable[dict[str, Any]]]
END = "mutation($t: ID!) { endSupport(tieId: $t) { userErrors { code } } }"
COORDINATOR = bearer(token_for(Role.COORDINATOR))
SECURITY = "{ securityEvents(first: 20) { edges { node { reason } } } }"


async def watched(server: RunningServer, count: int = 1) -> None:
    """Wait until the server watches the report for ``count`` subscriptions."""
    await watching(server.app, count)


@pytest.mark.parametrize("via", ["payload", "upgrade-header"])
async def test_a_coordinator_hears_who_loses_and_regains_support(
    server: RunningServer,
    as_coordinator: GraphQLClient,
    register: Register,
    add_supporter: Add,
    via: str,
) -> None:
    aoife = await register("Aoife")
    tie = (await add_supporter(memberId=aoife, relation="FRIEND", person={"displayName": "Pat"}))[
        "tie"
    ]
    headers = {"Authorization": COORDINATOR} if via == "upgrade-header" else {}
    async with socket(server.url, headers) as ws:
        ack = await ws.init(COORDINATOR if via == "payload" else None)
        assert ack["type"] == "connection_ack"
        await ws.subscribe("1", ISOLATION_CHANGED, min=1)
        await watched(server)
        # Her last supporter's tie ends: she appears, with no supporters.
        assert (await as_coordinator(END, t=tie["id"]))["data"]["endSupport"]["userErrors"] == []  # type: ignore[index]
        told = (await ws.receive())["payload"]["data"]["isolationChanged"]
        assert told["memberId"] == aoife and told["isolated"]
        assert "NO_SUPPORTERS" in told["reasons"] and "NO_SUPPORTERS" not in told["previousReasons"]
        assert told["member"] == {"displayName": "Aoife"} and told["activeSupporters"] == 0
        # A supporter is added: that reason goes again.
        await add_supporter(memberId=aoife, relation="FAMILY", person={"displayName": "Mam"})
        told = (await ws.receive())["payload"]["data"]["isolationChanged"]
        assert told["memberId"] == aoife and told["activeSupporters"] == 1
        assert "NO_SUPPORTERS" in told["previousReasons"] and "NO_SUPPORTERS" not in told["reasons"]


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(lambda: bearer(token_for(Role.MEMBER, member_id="TWVtYmVyOm0=")), id="member"),
        pytest.param(
            lambda: bearer(token_for(Role.COLLEGE, college_id=to_global_id("College", "c1"))),
            id="college",
        ),
        pytest.param(lambda: "Bearer not-a-token", id="invalid"),
        pytest.param(lambda: None, id="missing"),
    ],
)
async def test_only_coordinators_may_connect(
    server: RunningServer, as_coordinator: GraphQLClient, authorization: Callable[[], str | None]
) -> None:
    async with socket(server.url) as ws:
        await ws.send({"type": "connection_init", "payload": {"Authorization": authorization()}})
        assert await ws.close_code() == 4403
    body = await as_coordinator(SECURITY)
    reasons = [e["node"]["reason"] for e in body["data"]["securityEvents"]["edges"]]  # type: ignore[index]
    assert any(reason.startswith("graphql websocket: ") for reason in reasons), reasons


async def test_queries_and_mutations_are_refused_over_the_socket(server: RunningServer) -> None:
    async with socket(server.url) as ws:
        await ws.init(COORDINATOR)
        await ws.subscribe("q", "{ me { role } }")
        refused = await ws.receive()
        assert refused["type"] == "error" and refused["id"] == "q"


async def test_document_limits_apply_to_subscriptions(server: RunningServer) -> None:
    nested = "id"
    for _ in range(12):  # deeper than GRAPHQL_MAX_DEPTH (10)
        nested = f"circle {{ supporter {{ ... on Member {{ {nested} }} }} }}"
    deep = f"subscription {{ isolationChanged {{ member {{ {nested} }} }} }}"
    async with socket(server.url) as ws:
        await ws.init(COORDINATOR)
        await ws.subscribe("deep", deep)
        refused = await ws.receive()
        assert refused["type"] == "error", refused


async def test_open_subscriptions_are_capped_per_token(
    make_settings: Callable[..., Settings], serve: Callable[[Settings], RunningServer]
) -> None:
    server = serve(make_settings(subscriptions_per_token=1))
    async with socket(server.url) as first, socket(server.url) as second:
        await first.init(COORDINATOR)
        await second.init(COORDINATOR)
        await first.subscribe("a", ISOLATION_CHANGED, min=2)
        await watched(server)
        await second.subscribe("b", ISOLATION_CHANGED, min=2)
        refused = await second.receive()
        assert refused["type"] == "error"
        assert refused["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
        # Completing the first gives its slot back.
        await first.send({"id": "a", "type": "complete"})
        for _ in range(100):
            if not server.app.state.streams.total:  # type: ignore[attr-defined]
                break
            await asyncio.sleep(0.02)
        await second.subscribe("c", ISOLATION_CHANGED, min=2)
        await watched(server)


async def test_subscriptions_complete_when_the_server_stops(server: RunningServer) -> None:
    async with socket(server.url) as ws:
        await ws.init(COORDINATOR)
        await ws.subscribe("1", ISOLATION_CHANGED, min=2)
        await watched(server)
        server.app.state.streams.close()  # type: ignore[attr-defined]  # what SIGTERM does
        assert await ws.receive() == {"id": "1", "type": "complete"}


async def test_what_a_subscription_tells_is_audited(
    server: RunningServer, store: Store, register: Register, add_supporter: Add
) -> None:
    aoife = await register("Aoife")
    async with socket(server.url) as ws:
        await ws.init(COORDINATOR)
        await ws.subscribe("1", ISOLATION_CHANGED, min=1)
        await watched(server)
        await add_supporter(memberId=aoife, relation="FAMILY", person={"displayName": "Mam"})
        await ws.receive()
    told = await events(store, offset=0, limit=50, target_id=aoife)
    assert "isolation.changed" in [e.action for e in told.items]
    network = await events(store, offset=0, limit=50, target_id=to_global_id("Network", "all"))
    assert "analysis.isolation" in [e.action for e in network.items]


async def test_handshakes_count_against_the_rate_limit(
    make_settings: Callable[..., Settings], serve: Callable[[Settings], RunningServer]
) -> None:
    server = serve(make_settings(ip_rate_limit_per_minute=2))
    for _ in range(2):
        async with socket(server.url) as ws:
            assert (await ws.init(COORDINATOR))["type"] == "connection_ack"
    with pytest.raises(InvalidStatus) as refused:
        async with socket(server.url):
            pass
    assert refused.value.response.status_code == 403


async def test_a_subscription_sent_by_post_is_refused_not_a_crash(
    as_coordinator: GraphQLClient,
) -> None:
    response = await as_coordinator.post("subscription { isolationChanged { memberId } }")
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
