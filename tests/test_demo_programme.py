"""The demo network's year: dated ties, a year of sessions, and members who stop coming."""

from __future__ import annotations

from datetime import date, timedelta

from graph_service.auth import Principal, Role
from graph_service.services import Services
from graph_service.store import Store
from graph_service.store.admin import wipe
from loaders.demo import load_demo

TODAY = date.today()
SESSIONS = """
MATCH (p:ProgrammeSession)
RETURN p.on AS on, p.kind AS kind, p.cancelled AS cancelled, p.registerTakenAt AS takenAt,
       COUNT { MATCH (p)-[:FACILITATED_BY]->(:Member) } AS leads,
       COUNT { MATCH (:Member)-[:ATTENDED]->(p) } AS came
ORDER BY p.on, p.kind
"""
ATTENDANCE = """
MATCH (m:Member)-[:ATTENDED]->(p:ProgrammeSession)
RETURN m.id AS member, p.on AS on
ORDER BY m.id, p.on
"""
TIES = """
MATCH (:Member)-[t:SUPPORTED_BY]->()
RETURN t.status AS status, t.since AS since, t.endedAt AS endedAt
"""


async def test_a_year_of_sessions_with_registers_and_members_who_stop(store: Store) -> None:
    await load_demo(store, members=150, seed=9)
    sessions = await store.read(SESSIONS)
    days = [date.fromisoformat(s["on"]) for s in sessions]
    assert min(days) >= TODAY - timedelta(days=365) and max(days) > TODAY
    assert {s["kind"] for s in sessions} == {"WRAP class", "Wellness Toolbox", "Peer group"}
    assert all(s["leads"] == 1 for s in sessions)
    past = [s for s, day in zip(sessions, days, strict=True) if day <= TODAY and not s["cancelled"]]
    future = [s for s, day in zip(sessions, days, strict=True) if day > TODAY]
    assert all(s["takenAt"] for s in past) and not any(s["takenAt"] or s["came"] for s in future)
    assert not any(s["came"] for s in sessions if s["cancelled"])
    assert sum(s["came"] for s in past) > 10 * len(past) / 2
    # Some who came regularly in the first half of the year came to nothing in the last month.
    seen: dict[str, list[date]] = {}
    for row in await store.read(ATTENDANCE):
        seen.setdefault(row["member"], []).append(date.fromisoformat(row["on"]))
    half = TODAY - timedelta(days=180)
    stopped = [
        m
        for m, on in seen.items()
        if sum(day < half for day in on) >= 3 and max(on) < TODAY - timedelta(days=30)
    ]
    still = [m for m, on in seen.items() if max(on) >= TODAY - timedelta(days=14)]
    assert stopped and still
    # Ties are dated: none begins after today, every ended one says when it ended.
    for tie in await store.read(TIES):
        assert tie["since"][:10] <= TODAY.isoformat()
        if tie["status"] == "ENDED":
            assert tie["endedAt"] and tie["since"] <= tie["endedAt"]


async def test_the_same_seed_gives_the_same_year(store: Store) -> None:
    await load_demo(store, members=60, seed=4)
    first = await store.read(ATTENDANCE)
    await wipe(store)
    await load_demo(store, members=60, seed=4)
    assert await store.read(ATTENDANCE) == first


async def test_the_demo_flags_members_who_stopped_coming(store: Store) -> None:
    # The network `make run` shows, judged with the default settings.
    await load_demo(store, members=350, seed=2026)
    boss = Principal(Role.COORDINATOR, subject="coordinator:demo")
    report = await Services.build(store).analyses.isolation(boss)
    stopped = [entry for entry in report if "STOPPED_ATTENDING" in entry.reasons]
    assert 3 <= len(stopped) <= 30
