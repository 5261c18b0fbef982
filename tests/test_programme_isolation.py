"""The programme in the coordinators' isolation report, through the API: STOPPED_ATTENDING as
registers are taken (the rule's numbers from the settings), and attendance as activity."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import pytest

from graph_service.services import Services
from graph_service.settings import Settings
from graph_service.store import Store
from tests.conftest import GraphQLClient

Register = Callable[[str], Awaitable[str]]
TODAY = date.today()
REPORT = """
{ isolationReport(first: 50) { edges { node { member { id } reasons } } } }
"""
CREATE = """
mutation($input: CreateSessionInput!) {
  createSession(input: $input) { session { id } userErrors { field code message } }
}
"""
TAKE = """
mutation($s: ID!, $present: [ID!]!) {
  takeRegister(sessionId: $s, present: $present) { userErrors { field code message } }
}
"""
CANCEL = """
mutation($id: ID!) { cancelSession(id: $id) { userErrors { field code message } } }
"""


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    """A window of four sessions: came to two of the first two, then none of the last two."""
    return make_settings(
        stopped_attending_first=2, stopped_attending_at_least=2, stopped_attending_last=2
    )


async def _reasons(client: GraphQLClient) -> dict[str, list[str]]:
    body = await client(REPORT)
    edges = body["data"]["isolationReport"]["edges"]  # type: ignore[index]
    return {e["node"]["member"]["id"]: e["node"]["reasons"] for e in edges}


async def _session(client: GraphQLClient, days_ago: int) -> str:
    on = (TODAY - timedelta(days=days_ago)).isoformat()
    input: dict[str, Any] = {
        "kind": "WRAP class",
        "on": on,
        "startTime": "10:00",
        "venue": "Bootle",
    }
    body = await client(CREATE, input=input)
    payload = body["data"]["createSession"]  # type: ignore[index]
    assert payload["userErrors"] == [], payload
    return str(payload["session"]["id"])


async def _take(client: GraphQLClient, session: str, *present: str) -> None:
    body = await client(TAKE, s=session, present=list(present))
    assert body["data"]["takeRegister"]["userErrors"] == [], body  # type: ignore[index]


async def test_stopped_attending_follows_the_registers(
    as_coordinator: GraphQLClient, register: Register, store: Store
) -> None:
    await Services.build(store).programme.seed()
    stays, stops = await register("Stays"), await register("Stops")
    weeks = [await _session(as_coordinator, days) for days in (28, 21, 14, 7)]
    await _take(as_coordinator, weeks[0], stays, stops)
    await _take(as_coordinator, weeks[1], stays, stops)
    await _take(as_coordinator, weeks[2], stays)
    before = await _reasons(as_coordinator)
    # Three sessions held: "Stops" missed only the last, and the report is already current.
    assert "STOPPED_ATTENDING" not in before[stops]
    assert "NO_RECENT_ACTIVITY" not in before[stops], "attendance is activity"
    await _take(as_coordinator, weeks[3], stays)
    after = await _reasons(as_coordinator)
    assert "STOPPED_ATTENDING" in after[stops]
    assert "STOPPED_ATTENDING" not in after[stays]
    # The register of the last session was wrong: "Stops" came after all.
    await _take(as_coordinator, weeks[3], stays, stops)
    assert "STOPPED_ATTENDING" not in (await _reasons(as_coordinator))[stops]


async def test_a_session_cancelled_leaves_the_run(
    as_coordinator: GraphQLClient, register: Register, store: Store
) -> None:
    await Services.build(store).programme.seed()
    stops = await register("Stops")
    weeks = [await _session(as_coordinator, days) for days in (28, 21, 14, 7)]
    await _take(as_coordinator, weeks[0], stops)
    await _take(as_coordinator, weeks[1], stops)
    await _take(as_coordinator, weeks[2])
    await _take(as_coordinator, weeks[3])
    assert "STOPPED_ATTENDING" in (await _reasons(as_coordinator))[stops]
    # An empty register can be a session that did not happen after all: cancelled, it leaves
    # the run, and one missed session is not yet stopping.
    body = await as_coordinator(CANCEL, id=weeks[3])
    assert body["data"]["cancelSession"]["userErrors"] == [], body  # type: ignore[index]
    assert "STOPPED_ATTENDING" not in (await _reasons(as_coordinator)).get(stops, [])
