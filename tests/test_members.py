"""Registering, updating, pausing, reading and listing members."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from tests.conftest import REGISTER, GraphQLClient

MEMBER = "query($id: ID!) { member(id: $id) { id displayName status memberSince } }"
MEMBERS = """
query($first: Int, $after: String, $status: MemberStatus, $search: String) {
  members(first: $first, after: $after, status: $status, search: $search) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { displayName } }
  }
}
"""
UPDATE = """
mutation($id: ID!, $name: String!) {
  updateMember(input: {id: $id, displayName: $name}) {
    member { displayName } userErrors { field code }
  }
}
"""
STATUS = """
mutation($id: ID!, $status: MemberStatus!) {
  setMemberStatus(id: $id, status: $status) { member { status } userErrors { field code } }
}
"""


async def test_register_and_read_member(
    as_coordinator: GraphQLClient, register: Callable[[str], Awaitable[str]]
) -> None:
    member_id = await register("  Aoife  ")
    body = await as_coordinator(MEMBER, id=member_id)
    member = body["data"]["member"]  # type: ignore[index]
    assert member["displayName"] == "Aoife"
    assert member["status"] == "ACTIVE"
    node = await as_coordinator(
        "query($id: ID!) { node(id: $id) { id ... on Member { displayName } } }", id=member_id
    )
    assert node["data"]["node"] == {"id": member_id, "displayName": "Aoife"}  # type: ignore[index]


@pytest.mark.parametrize(
    "name",
    ["", "   ", "x" * 81, "bad\nname", "tab\there", "nul\x00"],
    ids=["empty", "spaces", "too-long", "newline", "tab", "nul"],
)
async def test_register_rejects_bad_names(as_coordinator: GraphQLClient, name: str) -> None:
    body = await as_coordinator(REGISTER, name=name)
    payload = body["data"]["registerMember"]  # type: ignore[index]
    assert payload == {"member": None, "userErrors": [{"code": "INVALID_INPUT"}]}
    listed = await as_coordinator(MEMBERS)
    assert listed["data"]["members"]["totalCount"] == 0  # type: ignore[index]


async def test_register_rejects_future_member_since(as_coordinator: GraphQLClient) -> None:
    body = await as_coordinator(
        'mutation { registerMember(input: {displayName: "Bo", memberSince: "2999-01-01"})'
        " { member { id } userErrors { field code } } }"
    )
    assert body["data"]["registerMember"]["userErrors"] == [  # type: ignore[index]
        {"field": "memberSince", "code": "INVALID_INPUT"}
    ]


async def test_update_member_name_by_coordinator_and_self(
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Callable[[str], Awaitable[str]],
) -> None:
    member_id = await register("Ciara")
    body = await as_coordinator(UPDATE, id=member_id, name="Ciara B")
    assert body["data"]["updateMember"] == {"member": {"displayName": "Ciara B"}, "userErrors": []}  # type: ignore[index]
    body = await as_member(member_id)(UPDATE, id=member_id, name="Ciara")
    assert body["data"]["updateMember"]["member"] == {"displayName": "Ciara"}  # type: ignore[index]
    body = await as_member(member_id)(UPDATE, id=member_id, name="\x07")
    assert body["data"]["updateMember"]["userErrors"] == [  # type: ignore[index]
        {"field": "displayName", "code": "INVALID_INPUT"}
    ]


@pytest.mark.parametrize("status", ["PAUSED", "LEFT", "ACTIVE"])
async def test_set_member_status(
    as_coordinator: GraphQLClient, register: Callable[[str], Awaitable[str]], status: str
) -> None:
    member_id = await register("Dara")
    body = await as_coordinator(STATUS, id=member_id, status=status)
    assert body["data"]["setMemberStatus"] == {"member": {"status": status}, "userErrors": []}  # type: ignore[index]


@pytest.mark.parametrize(
    ("mutation", "variables"),
    [(UPDATE, {"name": "X"}), (STATUS, {"status": "PAUSED"})],
    ids=["update", "status"],
)
async def test_unknown_member_is_not_found(
    as_coordinator: GraphQLClient, mutation: str, variables: dict[str, str]
) -> None:
    missing = "TWVtYmVyOm5vLXN1Y2g="  # Member:no-such
    body = await as_coordinator(mutation, id=missing, **variables)
    payload = next(iter(body["data"].values()))  # type: ignore[union-attr]
    assert payload["userErrors"] == [{"field": "id", "code": "NOT_FOUND"}]


async def test_bad_global_id_is_invalid_input(as_coordinator: GraphQLClient) -> None:
    body = await as_coordinator(STATUS, id="not-an-id", status="PAUSED")
    assert body["data"]["setMemberStatus"]["userErrors"] == [  # type: ignore[index]
        {"field": "id", "code": "INVALID_INPUT"}
    ]
    query = await as_coordinator(MEMBER, id="not-an-id")
    assert query["errors"][0]["extensions"]["code"] == "INVALID_INPUT"  # type: ignore[index]


async def test_members_paginate_filter_and_search(
    as_coordinator: GraphQLClient, register: Callable[[str], Awaitable[str]]
) -> None:
    ids = [await register(name) for name in ["Eve", "Finn", "Gráinne", "Hugh", "Ita"]]
    await as_coordinator(STATUS, id=ids[1], status="PAUSED")
    first = (await as_coordinator(MEMBERS, first=2))["data"]["members"]  # type: ignore[index]
    assert first["totalCount"] == 5
    assert [e["node"]["displayName"] for e in first["edges"]] == ["Eve", "Finn"]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = (await as_coordinator(MEMBERS, first=10, after=first["pageInfo"]["endCursor"]))["data"][  # type: ignore[index]
        "members"
    ]
    assert [e["node"]["displayName"] for e in rest["edges"]] == ["Gráinne", "Hugh", "Ita"]
    assert rest["pageInfo"]["hasNextPage"] is False
    paused = (await as_coordinator(MEMBERS, status="PAUSED"))["data"]["members"]  # type: ignore[index]
    assert [e["node"]["displayName"] for e in paused["edges"]] == ["Finn"]
    found = (await as_coordinator(MEMBERS, search="GRÁ"))["data"]["members"]  # type: ignore[index]
    assert [e["node"]["displayName"] for e in found["edges"]] == ["Gráinne"]


@pytest.mark.parametrize(
    ("first", "after"),
    [(0, None), (101, None), (5, "bogus")],
    ids=["zero", "too-many", "bad-cursor"],
)
async def test_members_bad_paging_is_invalid_input(
    as_coordinator: GraphQLClient, first: int, after: str | None
) -> None:
    body = await as_coordinator(MEMBERS, first=first, after=after)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"  # type: ignore[index]


async def test_me_member_for_member_token(
    as_member: Callable[[str], GraphQLClient], register: Callable[[str], Awaitable[str]]
) -> None:
    member_id = await register("Jo")
    body = await as_member(member_id)("{ me { role member { id displayName } } }")
    assert body["data"]["me"] == {
        "role": "MEMBER",
        "member": {"id": member_id, "displayName": "Jo"},
    }  # type: ignore[index]
