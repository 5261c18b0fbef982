"""Crisis plans: supporters to involve, names to keep out (never suggested, refused as supporters)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from graph_service.ids import from_global_id
from graph_service.services import Services, crisis
from graph_service.store import Store
from tests.conftest import GraphQLClient

Register = Callable[[str], Awaitable[str]]
Add = Callable[..., Awaitable[dict[str, Any]]]

SET = """
mutation($input: SetCrisisPlanInput!) {
  setCrisisPlan(input: $input) {
    crisisPlan { involved { id supporter { ... on Person { displayName } } } notInvolved updatedAt }
    userErrors { field code message }
  }
}
"""
READ = "query($id: ID!) { member(id: $id) { crisisPlan { involved { id } notInvolved } } }"


async def _plan(client: GraphQLClient, **input: Any) -> dict[str, Any]:
    body = await client(SET, input=input)
    assert "errors" not in body, body
    return body["data"]["setCrisisPlan"]  # type: ignore[index, no-any-return]


async def test_member_sets_own_plan_and_coordinators_see_it(
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Register,
    add_supporter: Add,
) -> None:
    a = await register("Aoife")
    mam = await add_supporter(memberId=a, relation="FAMILY", person={"displayName": "Mam"})
    await add_supporter(memberId=a, relation="FRIEND", person={"displayName": "Pat"})
    plan = await _plan(
        as_member(a),
        memberId=a,
        involvedTieIds=[mam["tie"]["id"]],
        notInvolved=["Uncle Tommy", "  uncle   TOMMY ", "Dave"],
    )
    assert plan["userErrors"] == []
    assert plan["crisisPlan"]["involved"] == [
        {"id": mam["tie"]["id"], "supporter": {"displayName": "Mam"}}
    ]
    assert plan["crisisPlan"]["notInvolved"] == ["Uncle Tommy", "Dave"]
    seen = await as_coordinator(READ, id=a)
    assert seen["data"]["member"]["crisisPlan"]["notInvolved"] == ["Uncle Tommy", "Dave"]  # type: ignore[index]
    actions = await as_coordinator(
        "query($t: String) { auditLog(targetId: $t) { edges { node { action } } } }", t=a
    )
    done = {e["node"]["action"] for e in actions["data"]["auditLog"]["edges"]}  # type: ignore[index]
    assert {"crisis.update", "crisis.read"} <= done
    # Ending the tie takes it out of the plan.
    await as_coordinator(
        "mutation($t: ID!) { endSupport(tieId: $t) { userErrors { code } } }", t=mam["tie"]["id"]
    )
    after = await as_member(a)(READ, id=a)
    assert after["data"]["member"]["crisisPlan"]["involved"] == []  # type: ignore[index]


@pytest.mark.parametrize("who", ["other-member", "college"])
async def test_nobody_else_sees_or_changes_a_plan(
    as_member: Callable[[str], GraphQLClient],
    as_college: GraphQLClient,
    register: Register,
    who: str,
) -> None:
    a, b = await register("Aoife"), await register("Brendan")
    await _plan(as_member(a), memberId=a, notInvolved=["Uncle Tommy"])
    client = as_member(b) if who == "other-member" else as_college
    for body in (
        await client(READ, id=a),
        await client(SET, input={"memberId": a, "notInvolved": []}),
    ):
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]  # type: ignore[union-attr]
        assert "Tommy" not in json.dumps(body)


PLAN_ERRORS = [
    ("blank-name", {"notInvolved": ["   "]}, "notInvolved", "INVALID_INPUT"),
    (
        "too-many",
        {"notInvolved": [f"Person {i}" for i in range(11)]},
        "notInvolved",
        "INVALID_INPUT",
    ),
    ("not-this-circle", {"involvedTieIds": ["VGllOm5vcGU="]}, "involvedTieIds", "NOT_FOUND"),
    ("not-a-tie-id", {"involvedTieIds": ["nonsense"]}, "involvedTieIds", "INVALID_INPUT"),
    ("in-the-circle", {"notInvolved": ["mam"]}, "notInvolved", "ALREADY_IN_CIRCLE"),
]


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [case[1:] for case in PLAN_ERRORS],
    ids=[case[0] for case in PLAN_ERRORS],
)
async def test_plan_refusals_are_user_errors(
    as_member: Callable[[str], GraphQLClient],
    register: Register,
    add_supporter: Add,
    change: dict[str, Any],
    field: str,
    code: str,
) -> None:
    a = await register("Aoife")
    await add_supporter(memberId=a, relation="FAMILY", person={"displayName": "Mam"})
    plan = await _plan(as_member(a), memberId=a, **change)
    assert plan["crisisPlan"] is None
    assert [(e["field"], e["code"]) for e in plan["userErrors"]] == [(field, code)]


async def test_a_kept_out_name_is_refused_as_a_supporter_every_way(
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Register,
    add_supporter: Add,
    connect_code: Callable[[str], Awaitable[str]],
) -> None:
    a, tommy = await register("Aoife"), await register("Tommy K.")
    await _plan(as_member(a), memberId=a, notInvolved=["Uncle Dave", "tommy k."])
    by_name = await add_supporter(
        as_member(a), memberId=a, relation="FAMILY", person={"displayName": "uncle  dave"}
    )
    assert by_name["tie"] is None
    [error] = by_name["userErrors"]
    assert (error["field"], error["code"]) == ("person.displayName", "KEPT_OUT_BY_CRISIS_PLAN")
    assert "crisis plan" in error["message"]
    by_id = await add_supporter(memberId=a, relation="PEER", supporterMemberId=tommy)
    assert [e["code"] for e in by_id["userErrors"]] == ["KEPT_OUT_BY_CRISIS_PLAN"]
    code = await connect_code(tommy)
    by_code = await add_supporter(as_member(a), memberId=a, relation="PEER", connectCode=code)
    assert [(e["field"], e["code"]) for e in by_code["userErrors"]] == [
        ("connectCode", "KEPT_OUT_BY_CRISIS_PLAN")
    ]
    # Someone else is welcome, and the refusals wrote nothing.
    ok = await add_supporter(
        as_member(a), memberId=a, relation="FAMILY", person={"displayName": "Mam"}
    )
    assert ok["userErrors"] == []
    circle = await as_coordinator("query($id: ID!) { member(id: $id) { circle { id } } }", id=a)
    assert len(circle["data"]["member"]["circle"]) == 1  # type: ignore[index]


async def test_a_kept_out_member_is_never_suggested(
    store: Store,
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Register,
) -> None:
    await Services.build(store).wellness.seed()
    a, tommy, pat = await register("Aoife"), await register("Tommy K."), await register("Pat")
    for member in (a, tommy, pat):
        await as_coordinator(
            'mutation($id: ID!) { setWellnessTools(memberId: $id, tools: ["Journaling"]) { tools } }',
            id=member,
        )
    suggest = "query($id: ID!) { supporterSuggestions(memberId: $id) { member { id } } }"
    before = await as_coordinator(suggest, id=a)
    assert {s["member"]["id"] for s in before["data"]["supporterSuggestions"]} == {tommy, pat}  # type: ignore[index]
    await _plan(as_member(a), memberId=a, notInvolved=["TOMMY k."])
    after = await as_coordinator(suggest, id=a)
    assert [s["member"]["id"] for s in after["data"]["supporterSuggestions"]] == [pat]  # type: ignore[index]
    ids = [from_global_id(m, "Member") for m in (a, tommy, pat)]
    assert await crisis.suggestable(store, ids[0], ids[1:]) == [ids[2]]
    assert await crisis.suggestable(store, ids[1], [ids[0]]) == [ids[0]]  # only a's own list


async def test_the_plan_is_exported_and_erased_with_the_member(
    store: Store,
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Register,
    add_supporter: Add,
) -> None:
    a = await register("Aoife")
    mam = await add_supporter(memberId=a, relation="FAMILY", person={"displayName": "Mam"})
    await _plan(
        as_member(a), memberId=a, involvedTieIds=[mam["tie"]["id"]], notInvolved=["Uncle Dave"]
    )
    exported = (await as_member(a)("{ exportMyData }"))["data"]["exportMyData"]  # type: ignore[index]
    assert exported["crisisPlan"]["notInvolved"] == ["Uncle Dave"]
    assert [t["supporter"]["name"] for t in exported["crisisPlan"]["involved"]] == ["Mam"]
    erased = await as_coordinator(
        "mutation($id: ID!) { eraseMember(id: $id) { userErrors { code } } }", id=a
    )
    assert erased["data"]["eraseMember"]["userErrors"] == []  # type: ignore[index]
    rows = await store.read("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    assert "Uncle Dave" not in json.dumps(rows)
    assert not [r for r in rows if "CrisisPlan" in r["labels"]]
