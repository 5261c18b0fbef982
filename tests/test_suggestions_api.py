"""Supporter suggestions from programme sessions through the service (kept-out names
filtered there, with ``first`` still honoured)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from graph_service.auth import Principal, Role
from graph_service.domain_programme import NewSession
from graph_service.services import Services
from graph_service.store import Store

BOSS = Principal(Role.COORDINATOR, subject="coordinator:test")
TODAY = date.today()


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
