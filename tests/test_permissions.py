"""Who may do what (DESIGN.md §6) for members, circles and help, role by role."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest

from graph_service.auth import Role
from graph_service.ids import to_global_id
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
