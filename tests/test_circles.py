"""Circles: adding supporters, invitations, reciprocity, the circle limit, history."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from graph_service.auth import Principal, Role
from graph_service.domain import Relation, TieStatus
from graph_service.services import Services
from graph_service.store import Store
from tests.conftest import GraphQLClient, RunningServer

CIRCLE = """
query($id: ID!, $ended: Boolean!) {
  member(id: $id) {
    circle(includeEnded: $ended) {
      id status relation reciprocal endedAt
      supporter { __typename ... on Person { displayName } ... on Member { id displayName }
                  ... on Organisation { name kind } }
    }
  }
}
"""
RESPOND = """
mutation($tie: ID!, $accept: Boolean!) {
  respondToInvitation(tieId: $tie, accept: $accept) { tie { status } userErrors { field code } }
}
"""
END = (
    "mutation($tie: ID!) { endSupport(tieId: $tie) { tie { status endedAt } userErrors { code } } }"
)
UPDATE = """
mutation($tie: ID!, $relation: Relation!) {
  updateSupporter(tieId: $tie, relation: $relation) { tie { relation } userErrors { field code } }
}
"""
ORG = """
mutation { createOrganisation(input: {name: "Sefton Recovery Peer Network", kind: PEER_NETWORK})
  { organisation { id name kind } userErrors { code } } }
"""

Register = Callable[[str], Awaitable[str]]
Add = Callable[..., Awaitable[dict[str, Any]]]


async def _circle(client: GraphQLClient, member: str, ended: bool = False) -> list[dict[str, Any]]:
    body = await client(CIRCLE, id=member, ended=ended)
    assert "errors" not in body, body
    return body["data"]["member"]["circle"]  # type: ignore[index, no-any-return]


async def test_add_person_and_organisation_are_active_at_once(
    as_coordinator: GraphQLClient, register: Register, add_supporter: Add
) -> None:
    member = await register("Aoife")
    person = await add_supporter(memberId=member, relation="FAMILY", person={"displayName": "Mam"})
    assert person["userErrors"] == [] and person["tie"]["status"] == "ACTIVE"
    org = (await as_coordinator(ORG))["data"]["createOrganisation"]["organisation"]  # type: ignore[index]
    tied = await add_supporter(memberId=member, relation="ORGANISATION", organisationId=org["id"])
    assert tied["tie"]["status"] == "ACTIVE"
    circle = await _circle(as_coordinator, member)
    assert [c["supporter"] for c in circle] == [
        {"__typename": "Person", "displayName": "Mam"},
        {
            "__typename": "Organisation",
            "name": "Sefton Recovery Peer Network",
            "kind": "PEER_NETWORK",
        },
    ]


async def test_member_supporter_is_invited_then_accepts_and_reciprocity(
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Register,
    add_supporter: Add,
) -> None:
    a, b = await register("Aoife"), await register("Brendan")
    tie = (await add_supporter(memberId=a, relation="PEER", supporterMemberId=b))["tie"]
    assert tie["status"] == "INVITED" and tie["reciprocal"] is False
    invitations = await as_member(b)(
        "{ me { member { invitations { id member { displayName } } } } }"
    )
    assert invitations["data"]["me"]["member"]["invitations"] == [  # type: ignore[index]
        {"id": tie["id"], "member": {"displayName": "Aoife"}}
    ]
    accepted = await as_member(b)(RESPOND, tie=tie["id"], accept=True)
    assert accepted["data"]["respondToInvitation"] == {
        "tie": {"status": "ACTIVE"},
        "userErrors": [],
    }  # type: ignore[index]
    again = await as_member(b)(RESPOND, tie=tie["id"], accept=False)
    assert again["data"]["respondToInvitation"]["userErrors"][0]["code"] == "NOT_PENDING"  # type: ignore[index]
    # B names A back (by id: A has B as an active supporter, so no connect code is needed);
    # once A accepts, both ties are reciprocal.
    back = (await add_supporter(as_member(b), memberId=b, relation="PEER", supporterMemberId=a))[
        "tie"
    ]
    await as_member(a)(RESPOND, tie=back["id"], accept=True)
    assert [c["reciprocal"] for c in await _circle(as_coordinator, a)] == [True]
    assert [c["reciprocal"] for c in await _circle(as_coordinator, b)] == [True]
    supporting = await as_member(b)("{ me { member { supporting { member { displayName } } } } }")
    assert supporting["data"]["me"]["member"]["supporting"] == [
        {"member": {"displayName": "Aoife"}}
    ]  # type: ignore[index]


async def test_declined_invitation_leaves_circle(
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Register,
    add_supporter: Add,
) -> None:
    a, b = await register("Aoife"), await register("Brendan")
    tie = (await add_supporter(memberId=a, relation="FRIEND", supporterMemberId=b))["tie"]
    declined = await as_member(b)(RESPOND, tie=tie["id"], accept=False)
    assert declined["data"]["respondToInvitation"]["tie"] == {"status": "DECLINED"}  # type: ignore[index]
    assert await _circle(as_coordinator, a) == []
    assert [c["status"] for c in await _circle(as_coordinator, a, ended=True)] == ["DECLINED"]


async def test_update_and_end_support_keeps_history(
    as_coordinator: GraphQLClient, register: Register, add_supporter: Add
) -> None:
    member = await register("Aoife")
    tie = (await add_supporter(memberId=member, relation="FRIEND", person={"displayName": "Pat"}))[
        "tie"
    ]
    updated = await as_coordinator(UPDATE, tie=tie["id"], relation="PROFESSIONAL")
    assert updated["data"]["updateSupporter"] == {
        "tie": {"relation": "PROFESSIONAL"},
        "userErrors": [],
    }  # type: ignore[index]
    wrong = await as_coordinator(UPDATE, tie=tie["id"], relation="ORGANISATION")
    assert wrong["data"]["updateSupporter"]["userErrors"] == [
        {"field": "relation", "code": "INVALID_INPUT"}
    ]  # type: ignore[index]
    ended = (await as_coordinator(END, tie=tie["id"]))["data"]["endSupport"]  # type: ignore[index]
    assert ended["tie"]["status"] == "ENDED" and ended["tie"]["endedAt"]
    assert await _circle(as_coordinator, member) == []
    history = await _circle(as_coordinator, member, ended=True)
    assert [(c["status"], c["relation"]) for c in history] == [("ENDED", "PROFESSIONAL")]
    again = (await as_coordinator(END, tie=tie["id"]))["data"]["endSupport"]  # type: ignore[index]
    assert again["userErrors"] == [{"code": "NOT_PENDING"}]


async def test_user_error_codes(
    as_coordinator: GraphQLClient, register: Register, add_supporter: Add
) -> None:
    a, b = await register("Aoife"), await register("Brendan")
    missing_member = "TWVtYmVyOm5vLXN1Y2g="  # Member:no-such
    cases = {
        "NOT_FOUND member": (
            dict(memberId=missing_member, relation="FRIEND", person={"displayName": "X"}),
            "NOT_FOUND",
        ),
        "NOT_FOUND supporter": (
            dict(memberId=a, relation="PEER", supporterMemberId=missing_member),
            "NOT_FOUND",
        ),
        "SELF_SUPPORT": (dict(memberId=a, relation="PEER", supporterMemberId=a), "SELF_SUPPORT"),
        "two supporters": (
            dict(memberId=a, relation="PEER", supporterMemberId=b, person={"displayName": "X"}),
            "INVALID_INPUT",
        ),
        "no supporter": (dict(memberId=a, relation="PEER"), "INVALID_INPUT"),
        "org relation for person": (
            dict(memberId=a, relation="ORGANISATION", person={"displayName": "X"}),
            "INVALID_INPUT",
        ),
        "bad person name": (
            dict(memberId=a, relation="FAMILY", person={"displayName": " "}),
            "INVALID_INPUT",
        ),
        "bad id": (
            dict(memberId="zzz", relation="FAMILY", person={"displayName": "X"}),
            "INVALID_INPUT",
        ),
    }
    for name, (input, code) in cases.items():
        payload = await add_supporter(**input)
        assert [e["code"] for e in payload["userErrors"]] == [code], name
        assert payload["tie"] is None, name
    await add_supporter(memberId=a, relation="PEER", supporterMemberId=b)
    duplicate = await add_supporter(memberId=a, relation="FRIEND", supporterMemberId=b)
    assert [e["code"] for e in duplicate["userErrors"]] == ["ALREADY_IN_CIRCLE"]
    await as_coordinator(
        "mutation($id: ID!) { setMemberStatus(id: $id, status: PAUSED) { userErrors { code } } }",
        id=b,
    )
    c = await register("Cathal")
    paused_supporter = await add_supporter(memberId=c, relation="PEER", supporterMemberId=b)
    assert [e["code"] for e in paused_supporter["userErrors"]] == ["MEMBER_NOT_ACTIVE"]
    paused_member = await add_supporter(memberId=b, relation="FRIEND", person={"displayName": "X"})
    assert [e["code"] for e in paused_member["userErrors"]] == ["MEMBER_NOT_ACTIVE"]


async def test_sixth_supporter_is_circle_full(register: Register, add_supporter: Add) -> None:
    member = await register("Aoife")
    for n in range(5):
        payload = await add_supporter(
            memberId=member, relation="FRIEND", person={"displayName": f"F{n}"}
        )
        assert payload["userErrors"] == []
    sixth = await add_supporter(memberId=member, relation="FRIEND", person={"displayName": "F6"})
    assert [e["code"] for e in sixth["userErrors"]] == ["CIRCLE_FULL"]


async def test_twenty_concurrent_adds_leave_exactly_five(
    as_coordinator: GraphQLClient, register: Register, add_supporter: Add
) -> None:
    member = await register("Aoife")
    results = await asyncio.gather(
        *(
            add_supporter(memberId=member, relation="FRIEND", person={"displayName": f"Friend {n}"})
            for n in range(20)
        )
    )
    codes = [tuple(e["code"] for e in r["userErrors"]) for r in results]
    assert codes.count(()) == 5
    assert codes.count(("CIRCLE_FULL",)) == 15
    assert len(await _circle(as_coordinator, member)) == 5


async def test_member_list_with_circles_runs_bounded_statements(
    server: RunningServer, as_coordinator: GraphQLClient, register: Register, add_supporter: Add
) -> None:
    members = [await register(f"Member {n:02}") for n in range(12)]
    for n, member in enumerate(members):
        await add_supporter(memberId=member, relation="FAMILY", person={"displayName": f"P{n}"})
        await add_supporter(memberId=member, relation="PEER", supporterMemberId=members[n - 1])
    store = server.app.state.store  # type: ignore[attr-defined]
    before = store.statements
    body = await as_coordinator(
        "{ members(first: 50) { edges { node { displayName circle { reciprocal supporter {"
        " __typename ... on Member { displayName } ... on Person { displayName } } } } } } }"
    )
    assert "errors" not in body
    assert len(body["data"]["members"]["edges"]) == 12  # type: ignore[index]
    # One page query, one count, one batched circle query and one batched audit append
    # for the coordinator's reads: not one per member.
    assert store.statements - before <= 4


@pytest.mark.parametrize("kind", ["update", "end"])
async def test_unknown_tie_is_not_found(as_coordinator: GraphQLClient, kind: str) -> None:
    tie = "VGllOm5vLXN1Y2g="  # Tie:no-such
    if kind == "update":
        body = await as_coordinator(UPDATE, tie=tie, relation="FRIEND")
        assert body["data"]["updateSupporter"]["userErrors"][0]["code"] == "NOT_FOUND"  # type: ignore[index]
    else:
        body = await as_coordinator(END, tie=tie)
        assert body["data"]["endSupport"]["userErrors"][0]["code"] == "NOT_FOUND"  # type: ignore[index]


async def test_person_node_visible_to_coordinator_and_own_member_only(
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Register,
    add_supporter: Add,
) -> None:
    a, b = await register("Aoife"), await register("Brendan")
    await add_supporter(memberId=a, relation="FAMILY", person={"displayName": "Mam"})
    body = await as_coordinator(
        "query($id: ID!) { member(id: $id) { circle { supporter { ... on Person { id } } } } }",
        id=a,
    )
    person = body["data"]["member"]["circle"][0]["supporter"]["id"]  # type: ignore[index]
    node = "query($id: ID!) { node(id: $id) { ... on Person { displayName } } }"
    assert (await as_coordinator(node, id=person))["data"]["node"] == {"displayName": "Mam"}  # type: ignore[index]
    assert (await as_member(a)(node, id=person))["data"]["node"] == {"displayName": "Mam"}  # type: ignore[index]
    other = await as_member(b)(node, id=person)
    assert [e["extensions"]["code"] for e in other["errors"]] == ["FORBIDDEN"]  # type: ignore[union-attr]
    assert other["data"] == {"node": None}


async def test_accept_racing_end_gives_one_consistent_answer(store: Store) -> None:
    services = Services.build(store)
    boss = Principal(Role.COORDINATOR)
    made = [await services.members.register(boss, name, None) for name in ("Ann", "Bo")]
    ann, bo = (m.value.id for m in made if m.value is not None)
    for _ in range(10):
        invited = await services.circles.add_supporter(
            boss, ann, Relation.PEER, supporter_member_id=bo
        )
        assert invited.value is not None, invited.errors
        tie = invited.value.id
        accepted, ended = await asyncio.gather(
            services.circles.respond(Principal(Role.MEMBER, bo), tie, True),
            services.circles.end(boss, tie),
        )
        final = await services.circles.tie(boss, tie)
        assert final is not None and final.status is TieStatus.ENDED
        # The end always wins in the end; the accept either came first (and says ACTIVE, the
        # state it made) or found the invitation gone (NOT_PENDING): never success on ENDED.
        assert ended.value is not None and ended.value.status is TieStatus.ENDED
        if accepted.value is not None:
            assert accepted.value.status is TieStatus.ACTIVE, accepted
        else:
            assert [e.code.value for e in accepted.errors] == ["NOT_PENDING"]


CIRCLE_FIELDS = (
    "circle { relation status supporter { __typename ... on Member { displayName }"
    " ... on Person { displayName } ... on Organisation { name kind } } }"
)


@pytest.mark.parametrize("reader", ["member-me", "coordinator-member"])
async def test_member_and_circle_are_one_read(
    server: RunningServer,
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Register,
    add_supporter: Add,
    reader: str,
) -> None:
    member = await register("Reader")
    other = await register("Other")
    await add_supporter(memberId=member, relation="FAMILY", person={"displayName": "Mum"})
    await add_supporter(memberId=member, relation="PEER", supporterMemberId=other)
    network = await as_coordinator(
        'mutation { createOrganisation(input: {name: "Recovery Network", kind: PEER_NETWORK})'
        " { organisation { id } } }"
    )
    org = network["data"]["createOrganisation"]["organisation"]["id"]  # type: ignore[index]
    added = await add_supporter(memberId=member, relation="ORGANISATION", organisationId=org)
    assert added["userErrors"] == [], added
    store = server.app.state.store  # type: ignore[attr-defined]
    if reader == "member-me":
        client, query = as_member(member), "{ me { member { displayName " + CIRCLE_FIELDS + " } } }"
    else:
        client = as_coordinator
        query = "query($id: ID!) { member(id: $id) { displayName " + CIRCLE_FIELDS + " } }"
    before = store.statements
    body = await client(query, id=member)
    assert "errors" not in body, body
    found = body["data"]["me"]["member"] if reader == "member-me" else body["data"]["member"]  # type: ignore[index]
    kinds = sorted(tie["supporter"]["__typename"] for tie in found["circle"])
    assert kinds == ["Member", "Organisation", "Person"]
    organisation = next(
        t for t in found["circle"] if t["supporter"]["__typename"] == "Organisation"
    )
    assert organisation["supporter"]["kind"] == "PEER_NETWORK"
    # The member, their ties and each supporter's name and kind in one statement; a
    # coordinator's read adds the audit append.
    assert store.statements - before == (1 if reader == "member-me" else 2)
