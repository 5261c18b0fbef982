"""The WRAP programme: kinds of session, sessions, recurring schedules, registers, attendance."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, time, timedelta
from typing import Any

import pytest

from graph_service.auth import Principal, Role
from graph_service.domain_programme import NewSession
from graph_service.services import Services
from graph_service.store import Store
from graph_service.store.projection import load_rows
from tests.conftest import GraphQLClient

Register = Callable[[str], Awaitable[str]]
TODAY = date.today()

SCHEDULE = """
mutation($input: ScheduleSessionsInput!) {
  scheduleSessions(input: $input) {
    sessions { id kind on startTime minutes venue staffFacilitators facilitators { id displayName } }
    userErrors { field code message }
  }
}
"""
CREATE = """
mutation($input: CreateSessionInput!) {
  createSession(input: $input) { session { id kind on cancelled } userErrors { field code message } }
}
"""
TAKE = """
mutation($s: ID!, $present: [ID!]!) {
  takeRegister(sessionId: $s, present: $present) {
    session { id attendanceCount registerTakenAt attendees { id displayName } }
    userErrors { field code message }
  }
}
"""
MY_ATTENDANCE = """
{ me { member { attendance(first: 10) { totalCount edges { node { session { id kind on } } } } } } }
"""
SESSIONS = """
query($from: Date, $to: Date) {
  programmeSessions(from: $from, to: $to, first: 50) { totalCount edges { node { id on } } }
}
"""


@pytest.fixture
async def kinds(store: Store) -> None:
    """The default kinds of session."""
    await Services.build(store).programme.seed()


def _session(
    on: date, kind: str = "WRAP class", facilitators: list[str] | None = None
) -> dict[str, Any]:
    return {
        "kind": kind,
        "on": on.isoformat(),
        "startTime": "10:00",
        "venue": "Southport Community Centre",
        "facilitatorIds": facilitators or [],
        "staffFacilitators": ["Siobhan"],
    }


async def _create(client: GraphQLClient, **input: Any) -> str:
    body = await client(CREATE, input=_session(**input))
    payload = body["data"]["createSession"]  # type: ignore[index]
    assert payload["userErrors"] == [], payload
    return str(payload["session"]["id"])


async def test_a_schedule_makes_every_tuesday_and_thursday(
    as_coordinator: GraphQLClient, register: Register, kinds: None
) -> None:
    lead = await register("Kath Facilitator")
    body = await as_coordinator(
        SCHEDULE,
        input={
            "kind": "wellness toolbox",  # any case: the list's own spelling is kept
            "weekdays": ["TUESDAY", "THURSDAY"],
            "startTime": "10:00",
            "from": "2026-03-01",  # a Sunday
            "to": "2026-03-31",
            "venue": "Bootle Library",
            "facilitatorIds": [lead],
            "staffFacilitators": ["Siobhan"],
        },
    )
    payload = body["data"]["scheduleSessions"]  # type: ignore[index]
    assert payload["userErrors"] == []
    days = [s["on"] for s in payload["sessions"]]
    assert days == [
        "2026-03-03",
        "2026-03-05",
        "2026-03-10",
        "2026-03-12",
        "2026-03-17",
        "2026-03-19",
        "2026-03-24",
        "2026-03-26",
        "2026-03-31",
    ]
    first = payload["sessions"][0]
    assert (first["kind"], first["startTime"], first["minutes"]) == (
        "Wellness Toolbox",
        "10:00:00",
        120,
    )
    assert first["facilitators"] == [{"id": lead, "displayName": "Kath Facilitator"}]
    assert first["staffFacilitators"] == ["Siobhan"]
    listed = await as_coordinator(SESSIONS, **{"from": "2026-03-10", "to": "2026-03-19"})
    assert listed["data"]["programmeSessions"]["totalCount"] == 4  # type: ignore[index]


SCHEDULE_ERRORS = [
    ("unknown-kind", {"kind": "Skydiving"}, "kind", "INVALID_INPUT"),
    ("no-weekday", {"weekdays": []}, "weekdays", "INVALID_INPUT"),
    ("backwards", {"from": "2026-04-01", "to": "2026-03-01"}, "to", "INVALID_INPUT"),
    ("too-long", {"from": "2026-01-01", "to": "2027-06-01"}, "to", "INVALID_INPUT"),
    ("no-day-falls", {"weekdays": ["MONDAY"], "to": "2026-03-01"}, "weekdays", "INVALID_INPUT"),
    ("blank-venue", {"venue": "  "}, "venue", "INVALID_INPUT"),
    ("too-short", {"minutes": 5}, "minutes", "INVALID_INPUT"),
    (
        "no-such-facilitator",
        {"facilitatorIds": ["TWVtYmVyOm5vcGU="]},
        "facilitatorIds",
        "NOT_FOUND",
    ),
    ("not-a-member-id", {"facilitatorIds": ["nonsense"]}, "facilitatorIds", "INVALID_INPUT"),
    ("year-one", {"from": "0001-01-01", "to": "0001-01-31"}, "from", "INVALID_INPUT"),
    ("far-future", {"from": "9999-12-01", "to": "9999-12-31"}, "from", "INVALID_INPUT"),
]


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [case[1:] for case in SCHEDULE_ERRORS],
    ids=[case[0] for case in SCHEDULE_ERRORS],
)
async def test_schedule_refusals_are_user_errors(
    as_coordinator: GraphQLClient, kinds: None, change: dict[str, Any], field: str, code: str
) -> None:
    input = {
        "kind": "WRAP class",
        "weekdays": ["TUESDAY"],
        "startTime": "10:00",
        "from": "2026-03-01",
        "to": "2026-03-31",
        "venue": "Bootle Library",
        **change,
    }
    body = await as_coordinator(SCHEDULE, input=input)
    payload = body["data"]["scheduleSessions"]  # type: ignore[index]
    assert payload["sessions"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]


async def test_kinds_are_extendable_by_coordinators_only(
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Register,
    kinds: None,
) -> None:
    add = 'mutation { addSessionKind(name: "Hearing Voices group") { kinds userErrors { code } } }'
    body = await as_coordinator(add)
    assert "Hearing Voices group" in body["data"]["addSessionKind"]["kinds"]  # type: ignore[index]
    made = await as_coordinator(CREATE, input=_session(TODAY, kind="hearing voices GROUP"))
    assert made["data"]["createSession"]["session"]["kind"] == "Hearing Voices group"  # type: ignore[index]
    # The same name in other capitals is the kind already on the list, not a second one.
    again = await as_coordinator(add.replace("Hearing Voices group", "HEARING voices group"))
    kinds = again["data"]["addSessionKind"]["kinds"]  # type: ignore[index]
    assert [k for k in kinds if k.casefold() == "hearing voices group"] == ["Hearing Voices group"]
    far = await as_coordinator(CREATE, input=_session(date(1, 1, 1)))
    errors = far["data"]["createSession"]["userErrors"]  # type: ignore[index]
    assert [(e["field"], e["code"]) for e in errors] == [("on", "INVALID_INPUT")]
    refused = await as_member(await register("Aoife"))(add)
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]  # type: ignore[union-attr]


async def test_register_is_the_ticked_members_and_members_see_their_own(
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Register,
    kinds: None,
) -> None:
    a, b, c = await register("Aoife"), await register("Brendan"), await register("Cathal")
    session = await _create(as_coordinator, on=TODAY - timedelta(days=1))
    first = await as_coordinator(TAKE, s=session, present=[a, b, b])
    taken = first["data"]["takeRegister"]  # type: ignore[index]
    assert taken["userErrors"] == []
    assert taken["session"]["attendanceCount"] == 2 and taken["session"]["registerTakenAt"]
    # Taken again: exactly the ticked members (B unticked, C added).
    second = await as_coordinator(TAKE, s=session, present=[a, c])
    names = [m["displayName"] for m in second["data"]["takeRegister"]["session"]["attendees"]]  # type: ignore[index]
    assert names == ["Aoife", "Cathal"]
    mine = await as_member(a)(MY_ATTENDANCE)
    attended = mine["data"]["me"]["member"]["attendance"]  # type: ignore[index]
    assert attended["totalCount"] == 1
    assert attended["edges"][0]["node"]["session"]["id"] == session
    assert (await as_member(b)(MY_ATTENDANCE))["data"]["me"]["member"]["attendance"][
        "totalCount"
    ] == 0  # type: ignore[index]
    # A member who came sees the session, not who else came.
    other = await as_member(a)(
        "query($id: ID!) { node(id: $id) { ... on ProgrammeSession { kind attendees { id } } } }",
        id=session,
    )
    assert [e["extensions"]["code"] for e in other["errors"]] == ["FORBIDDEN"]  # type: ignore[union-attr]
    log = await as_coordinator(
        "query($t: String) { auditLog(targetId: $t) { edges { node { action } } } }", t=b
    )
    actions = [e["node"]["action"] for e in log["data"]["auditLog"]["edges"]]  # type: ignore[index]
    assert actions.count("attendance.record") == 2  # ticked, then unticked


async def test_a_member_facilitator_ticks_only_the_groups_members(
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Register,
    kinds: None,
) -> None:
    lead, regular, stranger = (
        await register("Lead"),
        await register("Regular"),
        await register("Stranger"),
    )
    last_week = await _create(as_coordinator, on=TODAY - timedelta(days=7), facilitators=[lead])
    await as_coordinator(TAKE, s=last_week, present=[regular])
    today = await _create(as_coordinator, on=TODAY, facilitators=[lead])
    ok = await as_member(lead)(TAKE, s=today, present=[regular, lead])
    assert ok["data"]["takeRegister"]["userErrors"] == []  # type: ignore[index]
    refused = await as_member(lead)(TAKE, s=today, present=[regular, stranger])
    errors = refused["data"]["takeRegister"]["userErrors"]  # type: ignore[index]
    assert [(e["field"], e["code"]) for e in errors] == [("present", "NOT_FOUND")]
    made_up = await as_member(lead)(TAKE, s=today, present=["TWVtYmVyOm5vcGU="])
    assert made_up["data"]["takeRegister"]["userErrors"] == errors  # type: ignore[index]
    # The lead sees only their own sessions; someone else's register is not theirs to take.
    listed = await as_member(lead)(SESSIONS)
    assert listed["data"]["programmeSessions"]["totalCount"] == 2  # type: ignore[index]
    forbidden = await as_member(regular)(TAKE, s=today, present=[regular])
    assert [e["extensions"]["code"] for e in forbidden["errors"]] == ["FORBIDDEN"]  # type: ignore[union-attr]
    assert (await as_member(regular)(SESSIONS))["data"]["programmeSessions"]["totalCount"] == 0  # type: ignore[index]


async def test_future_and_cancelled_sessions_take_no_register(
    as_coordinator: GraphQLClient, register: Register, kinds: None
) -> None:
    a = await register("Aoife")
    future = await _create(as_coordinator, on=TODAY + timedelta(days=3))
    early = await as_coordinator(TAKE, s=future, present=[a])
    assert early["data"]["takeRegister"]["userErrors"][0]["code"] == "INVALID_INPUT"  # type: ignore[index]
    cancel = "mutation($id: ID!) { cancelSession(id: $id) { session { cancelled } userErrors { code } } }"
    cancelled = await as_coordinator(cancel, id=future)
    assert cancelled["data"]["cancelSession"] == {"session": {"cancelled": True}, "userErrors": []}  # type: ignore[index]
    past = await _create(as_coordinator, on=TODAY)
    await as_coordinator(TAKE, s=past, present=[a])
    kept = await as_coordinator(cancel, id=past)
    assert kept["data"]["cancelSession"]["userErrors"] == [{"code": "INVALID_INPUT"}]  # type: ignore[index]


async def test_a_college_sees_none_of_it(
    as_coordinator: GraphQLClient, as_college: GraphQLClient, register: Register, kinds: None
) -> None:
    a = await register("Aoife")
    session = await _create(as_coordinator, on=TODAY)
    await as_coordinator(TAKE, s=session, present=[a])
    for query, variables in (
        (SESSIONS, {}),
        ("query($id: ID!) { node(id: $id) { id } }", {"id": session}),
        (TAKE, {"s": session, "present": [a]}),
        ("query($id: ID!) { member(id: $id) { attendance { totalCount } } }", {"id": a}),
    ):
        body = await as_college(query, **variables)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"], body  # type: ignore[union-attr]
        assert "Aoife" not in str(body)


async def test_attendance_reads_in_bulk_for_the_analyses(store: Store, kinds: None) -> None:
    services = Services.build(store)
    boss = Principal(Role.COORDINATOR, subject="coordinator:test")
    a = (await services.members.register(boss, "Aoife", None)).value
    b = (await services.members.register(boss, "Brendan", None)).value
    assert a and b
    made = [
        (await services.programme.create(boss, NewSession(kind, on, time(10), 60, "Bootle"))).value
        for kind, on in (("WRAP class", TODAY - timedelta(days=8)), ("Peer group", TODAY))
    ]
    first, second = (s.id for s in made if s)
    await services.attendance.take(boss, first, [a.id, b.id])
    await services.attendance.take(boss, second, [a.id])
    await services.programme.create(
        boss, NewSession("Peer group", TODAY + timedelta(days=7), time(10), 60, "Bootle")
    )
    rows = await load_rows(store)
    kinds = {session: kind for session, _, kind in rows.sessions}
    assert sorted((member, s, kinds[s]) for member, s in rows.attendance) == sorted(
        [(a.id, first, "WRAP class"), (b.id, first, "WRAP class"), (a.id, second, "Peer group")]
    )
    held = sorted(rows.sessions, key=lambda row: row[1])
    assert [(session, date.fromisoformat(on)) for session, on, _ in held] == [
        (first, TODAY - timedelta(days=8)),
        (second, TODAY),
    ]
