"""Who may do what (DESIGN.md §6) for members, circles and help, role by role."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, time
from typing import Any

import httpx
import pytest

from graph_service.auth import Principal, Role
from graph_service.domain_programme import NewSession
from graph_service.ids import from_global_id, to_global_id
from graph_service.services import Services
from graph_service.store import Store
from tests.conftest import GraphQLClient, token_for

TODAY = date.today().isoformat()


@dataclass
class World:
    """A small network: A (the caller when a member), B and C, with ties and help."""

    a: str
    b: str
    c: str
    a_person_tie: str  # A -> a non-member
    b_invites_a: str  # B -> A, INVITED
    b_invites_c: str  # B -> C, INVITED
    b_c_help: str  # B helped C, recorded by a coordinator (B and C share no active tie)
    c_a_help: str  # C helped A, recorded by a coordinator
    c_code: str  # a connect code C made (and gave A)


async def _data(client: GraphQLClient, query: str, **variables: Any) -> Any:
    body = await client(query, **variables)
    assert "errors" not in body, body
    return body["data"]


@pytest.fixture
async def world(
    as_coordinator: GraphQLClient,
    register: Callable[[str], Awaitable[str]],
    add_supporter: Callable[..., Awaitable[dict[str, Any]]],
    connect_code: Callable[[str], Awaitable[str]],
) -> World:
    a, b, c = await register("Aoife"), await register("Brendan"), await register("Cathal")
    person = await add_supporter(memberId=a, relation="FAMILY", person={"displayName": "Mam"})
    b_a = await add_supporter(memberId=b, relation="PEER", supporterMemberId=a)
    b_c = await add_supporter(memberId=b, relation="PEER", supporterMemberId=c)
    record = """mutation($f: ID!, $t: ID!, $on: Date!) {
      recordHelp(input: {fromMemberId: $f, toMemberId: $t, on: $on, kind: LISTENING})
      { help { id } } }"""
    helps = []
    for giver, receiver in ((b, c), (c, a)):
        data = await _data(as_coordinator, record, f=giver, t=receiver, on=TODAY)
        helps.append(data["recordHelp"]["help"]["id"])
    code = await connect_code(c)
    return World(a, b, c, person["tie"]["id"], b_a["tie"]["id"], b_c["tie"]["id"], *helps, code)


Q = {
    "member": ("query($id: ID!) { member(id: $id) { displayName } }", lambda w: {"id": w.b}),
    "node-member": ("query($id: ID!) { node(id: $id) { id } }", lambda w: {"id": w.b}),
    "node-tie": ("query($id: ID!) { node(id: $id) { id } }", lambda w: {"id": w.b_invites_c}),
    "node-help": ("query($id: ID!) { node(id: $id) { id } }", lambda w: {"id": w.b_c_help}),
    "register": (
        'mutation { registerMember(input: {displayName: "Z"}) { userErrors { code } } }',
        lambda w: {},
    ),
    "set-status": (
        "mutation($id: ID!) { setMemberStatus(id: $id, status: PAUSED) { userErrors { code } } }",
        lambda w: {"id": w.a},
    ),
    "update-other": (
        'mutation($id: ID!) { updateMember(input: {id: $id, displayName: "Z"})'
        " { userErrors { code } } }",
        lambda w: {"id": w.b},
    ),
    "add-to-other": (
        "mutation($id: ID!) { addSupporter(input: {memberId: $id, relation: FRIEND,"
        ' person: {displayName: "Z"}}) { userErrors { code } } }',
        lambda w: {"id": w.b},
    ),
    "end-other-tie": (
        "mutation($t: ID!) { endSupport(tieId: $t) { userErrors { code } } }",
        lambda w: {"t": w.b_invites_c},
    ),
    "update-other-tie": (
        "mutation($t: ID!) { updateSupporter(tieId: $t, relation: FRIEND)"
        " { userErrors { code } } }",
        lambda w: {"t": w.b_invites_c},
    ),
    "respond-not-mine": (
        "mutation($t: ID!) { respondToInvitation(tieId: $t, accept: true)"
        " { userErrors { code } } }",
        lambda w: {"t": w.b_invites_c},
    ),
    "respond-mine": (
        "mutation($t: ID!) { respondToInvitation(tieId: $t, accept: true)"
        " { userErrors { code } } }",
        lambda w: {"t": w.b_invites_a},
    ),
    "record-others-help": (
        "mutation($f: ID!, $t: ID!) { recordHelp(input: {fromMemberId: $f,"
        f' toMemberId: $t, on: "{TODAY}", kind: OTHER}}) {{ userErrors {{ code }} }} }}',
        lambda w: {"f": w.b, "t": w.c},
    ),
    "confirm-others-help": (
        "mutation($id: ID!) { confirmHelp(id: $id) { userErrors { code } } }",
        lambda w: {"id": w.b_c_help},
    ),
    "confirm-my-help": (
        "mutation($id: ID!) { confirmHelp(id: $id) { userErrors { code } } }",
        lambda w: {"id": w.c_a_help},
    ),
    "create-org": (
        'mutation { createOrganisation(input: {name: "Z", kind: OTHER}) { userErrors { code } } }',
        lambda w: {},
    ),
    "nested-circle-of-supporter": (
        "query($id: ID!) { member(id: $id)"
        " { invitations { member { displayName circle { id } } } } }",
        lambda w: {"id": w.a},
    ),
    "own-member": (
        "query($id: ID!) { member(id: $id) { circle { id } helpBalance { given } } }",
        lambda w: {"id": w.a},
    ),
    "own-add": (
        "mutation($id: ID!) { addSupporter(input: {memberId: $id, relation: FRIEND,"
        ' person: {displayName: "Z"}}) { userErrors { code } } }',
        lambda w: {"id": w.a},
    ),
    "create-connect-code": (
        "mutation { createConnectCode { code userErrors { code } } }",
        lambda w: {},
    ),
    "own-invite-with-code": (
        "mutation($id: ID!, $code: String!) { addSupporter(input: {memberId: $id,"
        " relation: PEER, connectCode: $code}) { userErrors { code } } }",
        lambda w: {"id": w.a, "code": w.c_code},
    ),
    "own-end": (
        "mutation($t: ID!) { endSupport(tieId: $t) { userErrors { code } } }",
        lambda w: {"t": w.a_person_tie},
    ),
    "security-events": (
        "{ securityEvents(first: 5) { totalCount edges { node { kind reason count } } } }",
        lambda w: {},
    ),
}

# (case, role, expected): FORBIDDEN, or OK (data with no errors and no userErrors).
MATRIX = [
    *[
        (case, "member", "FORBIDDEN")
        for case in (
            "member",
            "node-member",
            "node-tie",
            "node-help",
            "register",
            "set-status",
            "update-other",
            "add-to-other",
            "end-other-tie",
            "update-other-tie",
            "respond-not-mine",
            "record-others-help",
            "confirm-others-help",
            "create-org",
            "nested-circle-of-supporter",
            "security-events",
        )
    ],
    *[
        (case, "member", "OK")
        for case in (
            "own-member",
            "own-add",
            "own-end",
            "respond-mine",
            "confirm-my-help",
            "create-connect-code",
            "own-invite-with-code",
        )
    ],
    *[
        (case, "coordinator", "OK")
        for case in (
            "member",
            "node-member",
            "node-tie",
            "node-help",
            "register",
            "set-status",
            "update-other",
            "add-to-other",
            "end-other-tie",
            "update-other-tie",
            "record-others-help",
            "create-org",
            "nested-circle-of-supporter",
            "security-events",
            "own-invite-with-code",
        )
    ],
    *[
        (case, "coordinator", "FORBIDDEN")
        for case in (
            "respond-mine",
            "confirm-my-help",
            "create-connect-code",  # a code is the member's own act
        )
    ],
    *[
        (case, "college", "FORBIDDEN")
        for case in (
            "member",
            "node-member",
            "node-tie",
            "register",
            "add-to-other",
            "record-others-help",
            "own-member",
            "respond-mine",
            "confirm-my-help",
            "security-events",
            "create-connect-code",
            "own-invite-with-code",
        )
    ],
]


def _client(http: httpx.AsyncClient, role: str, world: World) -> GraphQLClient:
    if role == "member":
        return GraphQLClient(http, token_for(Role.MEMBER, member_id=world.a))
    if role == "college":
        return GraphQLClient(
            http, token_for(Role.COLLEGE, college_id=to_global_id("College", "c1"))
        )
    return GraphQLClient(http, token_for(Role.COORDINATOR))


@pytest.mark.parametrize(
    ("case", "role", "expected"), MATRIX, ids=[f"{r}-{c}-{e}" for c, r, e in MATRIX]
)
async def test_permission_matrix(
    http: httpx.AsyncClient, world: World, case: str, role: str, expected: str
) -> None:
    query, variables = Q[case]
    body = await _client(http, role, world)(query, **variables(world))
    if expected == "FORBIDDEN":
        codes = [e["extensions"]["code"] for e in body.get("errors", [])]  # type: ignore[union-attr]
        assert codes == ["FORBIDDEN"], body
        # Never the data: the refused field is null.
        assert "Brendan" not in str(body["data"]) and "Cathal" not in str(body["data"])
    else:
        assert "errors" not in body, body
        payloads = body["data"].values()  # type: ignore[union-attr]
        assert all(not (p or {}).get("userErrors") for p in payloads if isinstance(p, dict)), body


async def test_member_lists_only_themself(http: httpx.AsyncClient, world: World) -> None:
    body = await _client(http, "member", world)(
        "{ members(first: 50) { totalCount edges { node { id } } } }"
    )
    assert body["data"]["members"] == {  # type: ignore[index]
        "totalCount": 1,
        "edges": [{"node": {"id": world.a}}],
    }


async def test_member_sees_display_names_in_own_circle_only(
    http: httpx.AsyncClient, world: World
) -> None:
    client = _client(http, "member", world)
    body = await client("{ me { member { invitations { member { displayName status } } } } }")
    # B's name is visible (B named A), B's profile is not.
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]  # type: ignore[index, union-attr]
    names = await client("{ me { member { invitations { member { displayName } } } } }")
    assert names["data"]["me"]["member"]["invitations"] == [{"member": {"displayName": "Brendan"}}]  # type: ignore[index]


@dataclass
class Programme:
    """The world, with a session A leads (B came) and one A has nothing to do with (C came)."""

    world: World
    led: str
    other: str


@pytest.fixture
async def programme(world: World, store: Store) -> Programme:
    services = Services.build(store)
    await services.programme.seed()
    boss = Principal(Role.COORDINATOR, subject="coordinator:test")
    ids = {name: from_global_id(getattr(world, name), "Member") for name in ("a", "b", "c")}
    sessions = []
    for leads, came in (((ids["a"],), ids["b"]), ((), ids["c"])):
        made = await services.programme.create(
            boss, NewSession("WRAP class", date.today(), time(10), 120, "Bootle Library", leads)
        )
        assert made.value is not None, made.errors
        await services.attendance.take(boss, made.value.id, [came])
        sessions.append(to_global_id("ProgrammeSession", made.value.id))
    return Programme(world, *sessions)


P = {
    "session-kinds": ("{ sessionKinds }", lambda p: {}),
    "sessions": ("{ programmeSessions { totalCount } }", lambda p: {}),
    "node-led-session": (
        "query($id: ID!) { node(id: $id) { ... on ProgrammeSession { attendees { id } } } }",
        lambda p: {"id": p.led},
    ),
    "node-other-session": ("query($id: ID!) { node(id: $id) { id } }", lambda p: {"id": p.other}),
    "add-kind": ('mutation { addSessionKind(name: "Z") { userErrors { code } } }', lambda p: {}),
    "create-session": (
        'mutation { createSession(input: {kind: "WRAP class", on: "2026-01-06", startTime: "10:00",'
        ' venue: "Z"}) { userErrors { code } } }',
        lambda p: {},
    ),
    "schedule": (
        'mutation { scheduleSessions(input: {kind: "WRAP class", weekdays: [TUESDAY],'
        ' startTime: "10:00", from: "2026-01-01", to: "2026-01-31", venue: "Z"})'
        " { userErrors { code } } }",
        lambda p: {},
    ),
    "cancel": (
        "mutation($id: ID!) { cancelSession(id: $id) { userErrors { code } } }",
        lambda p: {"id": p.led},
    ),
    "register-led": (
        "mutation($s: ID!, $m: ID!) { takeRegister(sessionId: $s, present: [$m])"
        " { userErrors { code } } }",
        lambda p: {"s": p.led, "m": p.world.b},
    ),
    "register-other": (
        "mutation($s: ID!, $m: ID!) { takeRegister(sessionId: $s, present: [$m])"
        " { userErrors { code } } }",
        lambda p: {"s": p.other, "m": p.world.c},
    ),
    "own-attendance": (
        "query($id: ID!) { member(id: $id) { attendance { totalCount } } }",
        lambda p: {"id": p.world.a},
    ),
    "other-attendance": (
        "query($id: ID!) { member(id: $id) { attendance { totalCount } } }",
        lambda p: {"id": p.world.c},
    ),
    "own-crisis-plan": (
        "query($id: ID!) { member(id: $id) { crisisPlan { notInvolved } } }",
        lambda p: {"id": p.world.a},
    ),
    "other-crisis-plan": (
        "query($id: ID!) { member(id: $id) { crisisPlan { notInvolved } } }",
        lambda p: {"id": p.world.c},
    ),
    "set-own-crisis-plan": (
        'mutation($id: ID!) { setCrisisPlan(input: {memberId: $id, notInvolved: ["Z"]})'
        " { userErrors { code } } }",
        lambda p: {"id": p.world.a},
    ),
    "set-other-crisis-plan": (
        'mutation($id: ID!) { setCrisisPlan(input: {memberId: $id, notInvolved: ["Z"]})'
        " { userErrors { code } } }",
        lambda p: {"id": p.world.c},
    ),
    "trends": (
        'query { programmeTrends(from: "2026-01", to: "2026-02") { minCount } }',
        lambda p: {},
    ),
}
EVERY_ONE = list(P)
PROGRAMME_OK = {
    "coordinator": [case for case in EVERY_ONE if case != "cancel"],  # cancel: has a register
    "member": [
        "session-kinds",
        "sessions",
        "node-led-session",
        "register-led",
        "own-attendance",
        "own-crisis-plan",
        "set-own-crisis-plan",
    ],
    "college": [],
}
PROGRAMME_MATRIX = [
    (case, role, "OK" if case in PROGRAMME_OK[role] else "FORBIDDEN")
    for role in PROGRAMME_OK
    for case in EVERY_ONE
    if not (role == "coordinator" and case == "cancel")
]


@pytest.mark.parametrize(
    ("case", "role", "expected"),
    PROGRAMME_MATRIX,
    ids=[f"{r}-{c}-{e}" for c, r, e in PROGRAMME_MATRIX],
)
async def test_programme_permission_matrix(
    http: httpx.AsyncClient, programme: Programme, case: str, role: str, expected: str
) -> None:
    query, variables = P[case]
    body = await _client(http, role, programme.world)(query, **variables(programme))
    if expected == "FORBIDDEN":
        codes = [e["extensions"]["code"] for e in body.get("errors", [])]  # type: ignore[union-attr]
        assert codes == ["FORBIDDEN"], body
        assert "Cathal" not in str(body["data"]) and "Brendan" not in str(body["data"])
    else:
        assert "errors" not in body, body
        payloads = body["data"].values()  # type: ignore[union-attr]
        assert all(not (p or {}).get("userErrors") for p in payloads if isinstance(p, dict)), body
