"""The live projection: after any sequence of writes through the services, patching it change
by change ends exactly where a full reload does: graph, isolation reports and summary."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import time, timedelta
from functools import partial
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph_service.analysis import build_from_rows, isolation_report, network_summary
from graph_service.analysis.live import IsolationKey
from graph_service.analysis.projection import HELPED, Projection, programme_of
from graph_service.analysis.stopped import StoppedRule
from graph_service.auth import Principal, Role
from graph_service.domain import (
    CourseCategory,
    EnrolmentStatus,
    HelpKind,
    MemberStatus,
    Relation,
)
from graph_service.domain_programme import NewSession
from graph_service.services import Services
from graph_service.services.validation import today
from graph_service.store import Store
from graph_service.store.admin import wipe
from graph_service.store.projection import load_rows
from tests.conftest import GraphServer

BOSS = Principal(Role.COORDINATOR, subject="coordinator:property")
OPS = (
    "register",
    "status",
    "person",
    "organisation",
    "invite",
    "answer",
    "relation",
    "end",
    "help",
    "confirm",
    "reject",
    "tools",
    "enrol",
    "enrolment",
    "erase",
    "session",
    "take",
    "cancel",
)
KINDS = ("WRAP class", "Peer group")
# A short STOPPED_ATTENDING window, so a few registers make and unmake the reason.
KEYS = (
    IsolationKey(2, 3, frozenset({"ACTIVE"}), today(), stopped=StoppedRule(2, 1, 1)),
    IsolationKey(1, 5, frozenset({"ACTIVE", "PAUSED", "LEFT"}), today()),
)
STEPS = st.lists(
    st.tuples(st.sampled_from(OPS), st.integers(0, 7), st.integers(0, 7), st.integers(0, 7)),
    min_size=1,
    max_size=8,
)


@dataclass
class World:
    """What the sequence has made so far, to pick from."""

    services: Services
    members: list[str] = field(default_factory=list)
    ties: list[tuple[str, str, str | None]] = field(default_factory=list)  # id, member, peer
    help: list[tuple[str, str]] = field(default_factory=list)  # id, receiver
    enrolments: list[str] = field(default_factory=list)
    sessions: list[str] = field(default_factory=list)
    course: str = ""

    def member(self, n: int) -> str:
        return self.members[n % len(self.members)] if self.members else "nobody"


async def _unit(world: World, write: Any) -> Any:
    """One write through the services, as a request makes it: one unit, one commit."""
    return await world.services.atomically(write)


async def _invite(world: World, m: str, other: str) -> None:
    s = world.services
    out = await _unit(
        world, lambda: s.circles.add_supporter(BOSS, m, Relation.PEER, supporter_member_id=other)
    )
    if out.value is not None:
        world.ties.append((out.value.id, m, other))


async def _help(world: World, m: str, other: str, c: int) -> None:
    day = today() - timedelta(days=[0, 30, 120][c % 3])
    out = await _unit(
        world, lambda: world.services.help.record(BOSS, m, other, day, HelpKind.SKILLS)
    )
    if out.value is not None:
        world.help.append((out.value.id, other))


async def _session(world: World, a: int, c: int) -> None:
    day = today() - timedelta(days=[0, 3, 10, 100][c % 4])
    new = NewSession(KINDS[a % 2], day, time(10 + len(world.sessions) % 8), 60, "Bootle Library")
    out = await _unit(world, lambda: world.services.programme.create(BOSS, new))
    world.sessions.append(out.value.id)


async def _programme(world: World, op: str, a: int, b: int, c: int) -> None:
    """A session held (a register taken: some members, or none), a recent register taken again,
    or a recent session cancelled (which only one with nobody on its register can be)."""
    s = world.services
    if op == "session" or not world.sessions:
        await _session(world, a, c)
    session = world.sessions[-1 - a % min(3, len(world.sessions))]
    if op == "cancel":
        await _unit(world, lambda: s.programme.cancel(BOSS, session))
        return
    came = [world.member(b), world.member(c)][: (b + c) % 3]
    await _unit(world, lambda: s.attendance.take(BOSS, session, came))


async def _step(world: World, op: str, a: int, b: int, c: int) -> None:
    """One use-case; one that needs something to act on makes it first, in a unit of its own."""
    s = world.services
    day = today() - timedelta(days=[0, 30, 120][c % 3])
    m, other = world.member(a), world.member(b if b % 3 else a + 1)
    if op in ("answer", "relation", "end") and not world.ties:
        await _invite(world, m, other)
    if op in ("confirm", "reject") and not world.help:
        await _help(world, m, other, c)
    if op == "enrolment" and not world.enrolments:
        await _step(world, "enrol", a, b, c)
    needs: dict[str, list[Any]] = {"answer": world.ties, "relation": world.ties, "end": world.ties}
    needs.update(confirm=world.help, reject=world.help, enrolment=world.enrolments)
    if op in needs and not needs[op]:
        return  # the member it was to be made for has been erased
    if op == "register":
        out: Any = await _unit(world, lambda: s.members.register(BOSS, "Member", day))
        world.members.append(out.value.id)
    elif op == "status":
        status = list(MemberStatus)[c % 3]
        await _unit(world, lambda: s.members.set_status(BOSS, m, status))
    elif op == "person":
        relation = [Relation.FAMILY, Relation.FRIEND, Relation.PROFESSIONAL][c % 3]
        out = await _unit(
            world, lambda: s.circles.add_supporter(BOSS, m, relation, person_name="Pat")
        )
        if out.value is not None:
            world.ties.append((out.value.id, m, None))
    elif op == "organisation":
        out = await _unit(
            world,
            lambda: s.circles.add_supporter(
                BOSS, m, Relation.ORGANISATION, organisation_id="sefton-peer-network"
            ),
        )
        if out.value is not None:
            world.ties.append((out.value.id, m, None))
    elif op == "invite":
        await _invite(world, m, other)
    elif op in ("answer", "relation", "end"):
        tie, _, peer = world.ties[a % len(world.ties)]
        if op == "answer" and peer is not None:
            invitee = Principal(Role.MEMBER, member_id=peer)
            await _unit(world, lambda: s.circles.respond(invitee, tie, c % 3 != 0))
        elif op == "relation":
            relation = [Relation.FAMILY, Relation.PROFESSIONAL, Relation.FRIEND][c % 3]
            await _unit(world, lambda: s.circles.update_relation(BOSS, tie, relation))
        else:
            await _unit(world, lambda: s.circles.end(BOSS, tie))
    elif op == "help":
        await _help(world, m, other, c)
    elif op in ("confirm", "reject"):
        help_id, receiver = world.help[a % len(world.help)]
        by = Principal(Role.MEMBER, member_id=receiver)
        answer = s.help.confirm if op == "confirm" else s.help.reject
        await _unit(world, lambda: answer(by, help_id))
    elif op == "tools":
        tools = [["Walking"], ["Journaling", "Walking"], []][c % 3]
        await _unit(world, lambda: s.wellness.set_for(BOSS, m, tools))
    elif op == "enrol":
        out = await _unit(world, lambda: s.enrolments.link(BOSS, m, world.course, day))
        if out.value is not None:
            world.enrolments.append(out.value.id)
    elif op == "enrolment":
        finished = [EnrolmentStatus.COMPLETED, EnrolmentStatus.WITHDRAWN][c % 2]
        done = today() if finished is EnrolmentStatus.COMPLETED else None
        enrolment = world.enrolments[a % len(world.enrolments)]
        await _unit(world, lambda: s.enrolments.update(BOSS, enrolment, finished, done))
    elif op == "erase":
        await _unit(world, lambda: s.privacy.erase(BOSS, m))
    elif op in ("session", "take", "cancel"):
        await _programme(world, op, a, b, c)


def _edges(g: Projection) -> list[tuple[str, str, str, list[tuple[str, Any]]]]:
    # Help records are keyed by networkx itself (0, 1, ...): only ties keep their own key.
    return sorted(
        (repr(u), repr(v), "" if data["type"] == HELPED else str(key), sorted(data.items()))
        for u, v, key, data in g.edges(keys=True, data=True)
    )


def _nodes(g: Projection) -> list[tuple[str, list[tuple[str, Any]]]]:
    return sorted((repr(n), sorted(data.items())) for n, data in g.nodes(data=True))


async def _sequence(server: GraphServer, steps: list[tuple[str, int, int, int]]) -> None:
    store = Store.connect(server.uri, server.user, server.password, server.database)
    try:
        await wipe(store)
        world = World(Services.build(store))
        s = world.services
        await s.organisations.seed()
        await s.wellness.add(BOSS, "Walking")
        await s.wellness.add(BOSS, "Journaling")
        college = (await s.colleges.create_college(BOSS, "Southport College")).value
        assert college is not None
        course = await s.colleges.create_course(
            BOSS, college.id, "Guitar", CourseCategory.MUSIC, "2026"
        )
        assert course.value is not None
        world.course = course.value.id
        for n in range(4):
            world.members.append((await s.members.register(BOSS, f"First {n}", today())).value.id)  # type: ignore[union-attr]
        # A small network to start from, loaded whole: two members supporting each other,
        # one supported by a third, and help given.
        first = world.members
        for member, supporter in ((first[0], first[1]), (first[1], first[0]), (first[2], first[0])):
            await _invite(world, member, supporter)
            await _step(world, "answer", len(world.ties) - 1, 0, 1)
        await _help(world, first[0], first[1], 0)
        # A run of sessions with registers: three members come (one with no ties at all, so
        # alone in a small component), then two of them stop.
        await s.programme.seed()
        for n in range(4):
            await _session(world, 0, 1 + n % 2)
            came = [first[0], first[1], first[3]] if n < 3 else first[:1]
            await _unit(world, partial(s.attendance.take, BOSS, world.sessions[-1], came))
        # The projection and the live reports, loaded before the writes.
        for key in KEYS:
            await s.analyses.live.isolation(key)
        await s.analyses.live.summary()
        loads = s.analyses.loads
        for op, a, b, c in steps:
            await _step(world, op, a, b, c)
        live = await s.analyses.projection()
        assert s.analyses.loads == loads, "every change was applied in place"
        rows = await load_rows(store)
        full = build_from_rows(rows)
        assert _nodes(live) == _nodes(full)
        assert _edges(live) == _edges(full)
        assert programme_of(live) == programme_of(full)
        for key in KEYS:
            expected = isolation_report(
                full,
                today=key.today,
                min_supporters=key.min_supporters,
                component_size=key.component_size,
                include_statuses=key.statuses,
                stopped=key.stopped,
            )
            assert (await s.analyses.live.isolation(key)).report() == expected, key
        assert (await s.analyses.live.summary()).summary() == network_summary(full)
    finally:
        await store.close()


def test_patched_projection_equals_a_full_reload(graph_server: GraphServer) -> None:
    @settings(
        max_examples=200,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(STEPS)
    def check(steps: list[tuple[str, int, int, int]]) -> None:
        asyncio.run(_sequence(graph_server, steps))

    check()
