"""Property-based fuzzing: generated valid operations, every role, never a 500 or a leak."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema

from graph_service.api.schema import schema
from graph_service.auth import Role
from graph_service.ids import to_global_id
from graph_service.services import Services
from graph_service.services.validation import now_iso
from graph_service.store import Store
from graph_service.store.attendance import take_register
from graph_service.store.members import create_member
from graph_service.store.programme import SessionRow, create_sessions
from tests.conftest import RunningServer, token_for

SDL = str(schema)
DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)).map(
    lambda d: graphql.StringValueNode(value=d.isoformat())
)
KNOWN_IDS = [
    to_global_id("Member", "fuzz-member"),
    to_global_id("Member", "fuzz-peer"),
    to_global_id("ProgrammeSession", "fuzz-session"),
    to_global_id("ProgrammeSession", "fuzz-led"),
    to_global_id("College", "southport-college"),
    to_global_id("Course", "sc-wrap-intro"),
    to_global_id("Organisation", "sefton-peer-network"),
]
# Mostly ids that exist, so operations reach the rules rather than stop at NOT_FOUND.
IDS = st.one_of(st.sampled_from(KNOWN_IDS), st.text(max_size=12)).map(
    lambda value: graphql.StringValueNode(value=value)
)
TIMES = st.times().map(lambda t: graphql.StringValueNode(value=t.strftime("%H:%M")))
OPERATIONS = from_schema(SDL, custom_scalars={"Date": DATES, "ID": IDS, "Time": TIMES})
LEAKS = ("Traceback", "neo4j", "bolt://", "Cypher", "ArcadeDB", 'File "')

TOKENS: dict[str, Callable[[], str]] = {
    "coordinator": lambda: token_for(Role.COORDINATOR),
    "member": lambda: token_for(Role.MEMBER, member_id=to_global_id("Member", "fuzz-member")),
    "college": lambda: token_for(
        Role.COLLEGE, college_id=to_global_id("College", "southport-college")
    ),
}


@pytest.fixture
async def network(store: Store) -> None:
    """Two members, the seeded organisations, colleges and courses, and two sessions: one the
    member leads, and one of another kind with the peer on its register (not for the member)."""
    services = Services.build(store)
    await services.organisations.seed()
    await services.colleges.seed()
    await services.programme.seed()
    for member_id, name in (("fuzz-member", "Fuzz Member"), ("fuzz-peer", "Fuzz Peer")):
        await create_member(store, member_id, name, date(2024, 1, 1), now_iso())
    on, at = date(2026, 1, 6), time(10)
    other = SessionRow("fuzz-session", "Peer group", on, at, 90, "Bootle Library", ())
    led = SessionRow("fuzz-led", "WRAP class", on, at, 120, "Bootle Library", ())
    await create_sessions(store, [other], [], now=now_iso(), by="fuzz")
    await create_sessions(store, [led], ["fuzz-member"], now=now_iso(), by="fuzz")
    await take_register(store, "fuzz-session", ["fuzz-peer"], now=now_iso(), by="fuzz")


@pytest.mark.parametrize("role", list(TOKENS))
def test_generated_operations_never_fail_unmasked(
    network: None, server: RunningServer, role: str
) -> None:
    headers = {"Authorization": f"Bearer {TOKENS[role]()}"}
    with httpx.Client(base_url=server.url, timeout=30, headers=headers) as client:

        @settings(
            max_examples=60,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(OPERATIONS)
        def check(operation: str) -> None:
            response = client.post("/graphql", json={"query": operation})
            assert response.status_code != 500, (operation, response.text)
            if role == "member":
                # The peer shares no tie with the member: nothing may name them (an invitation
                # by id, a guessed connect code, ...).
                assert "Fuzz Peer" not in response.text, operation
            body = response.json()
            for error in body.get("errors") or []:
                code = (error.get("extensions") or {}).get("code")
                # An unexpected error is a bug even when masked; an unmasked one is a leak.
                assert code != "INTERNAL_SERVER_ERROR", (operation, error)
                assert not any(leak in error["message"] for leak in LEAKS), (operation, error)

        check()
