"""Supporter suggestions from programme sessions through the API, the member page and the
service (kept-out names filtered there, with ``first`` still honoured)."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from datetime import date, time, timedelta

import httpx
import pytest

from graph_service.auth import Principal, Role
from graph_service.domain_programme import NewSession
from graph_service.ids import to_global_id
from graph_service.services import Services
from graph_service.store import Store
from tests.conftest import GraphQLClient

BOSS = Principal(Role.COORDINATOR, subject="coordinator:test")
TODAY = date.today()
SUGGEST = """
query($id: ID!) { supporterSuggestions(memberId: $id) {
  member { id } score sharedCourses sharedTools sharedSessions sharedSessionKinds } }
"""
SignIn = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def services(store: Store) -> Services:
    """Services with the kinds of session on the list."""
    found = Services.build(store)
    await found.programme.seed()
    return found


async def _members(services: Services, *names: str) -> list[str]:
    ids = []
    for name in names:
        made = await services.members.register(BOSS, name, None)
        assert made.value is not None, made.errors
        ids.append(made.value.id)
    return ids


async def _held(services: Services, kind: str, days_ago: int, *came: str) -> None:
    on = TODAY - timedelta(days=days_ago)
    made = await services.programme.create(BOSS, NewSession(kind, on, time(10), 60, "Bootle"))
    assert made.value is not None, made.errors
    taken = await services.attendance.take(BOSS, made.value.id, list(came))
    assert taken.errors == []


async def _two_sessions(services: Services) -> list[str]:
    """Lonely came to a WRAP class with Regular and Once, and to a peer group with Regular."""
    lonely, regular, once = await _members(services, "Lonely", "Regular", "Once")
    await _held(services, "WRAP class", 7, lonely, regular, once)
    await _held(services, "Peer group", 3, lonely, regular)
    return [lonely, regular, once]


async def test_suggestions_say_how_many_sessions_were_shared(
    services: Services, as_coordinator: GraphQLClient
) -> None:
    lonely, regular, once = await _two_sessions(services)
    body = await as_coordinator(SUGGEST, id=to_global_id("Member", lonely))
    found = body["data"]["supporterSuggestions"]  # type: ignore[index]
    assert [
        (s["member"]["id"], s["sharedSessions"], s["sharedSessionKinds"], s["sharedTools"])
        for s in found
    ] == [
        (to_global_id("Member", regular), 2, ["Peer group", "WRAP class"], []),
        (to_global_id("Member", once), 1, ["WRAP class"], []),
    ]
    assert [s["score"] for s in found] == pytest.approx(
        [1 / math.log(3) + 1 / math.log(2), 1 / math.log(3)]
    )


async def test_the_member_page_says_it_in_words(services: Services, sign_in: SignIn) -> None:
    lonely, _, _ = await _two_sessions(services)
    page = await (await sign_in()).get(f"/members/{lonely}")
    assert page.status_code == 200
    assert "Came to 2 of the same sessions: Peer group, WRAP class" in page.text
    assert "Came to the same session: WRAP class" in page.text


async def test_kept_out_names_are_filtered_and_first_still_honoured(
    services: Services,
) -> None:
    # Twelve members called Sam outrank Pat (two sessions shared to one): more than the
    # service's first ask spares, so it must ask again to find Pat.
    seeker, pat, *sams = await _members(services, "Seeker", "Pat", *["Sam"] * 12)
    await _held(services, "WRAP class", 7, seeker, pat, *sams)
    await _held(services, "WRAP class", 3, seeker, *sams)
    first = await services.analyses.suggestions(BOSS, seeker, first=1)
    assert [s.member_id for s in first] == [min(sams)]  # equal scores: the id decides
    plan = await services.crisis.set(BOSS, seeker, [], ["sam"])
    assert plan.errors == []
    for wanted in (1, 2):
        found = await services.analyses.suggestions(BOSS, seeker, first=wanted)
        assert [s.member_id for s in found] == [pat]
