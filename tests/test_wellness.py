"""Wellness tools: the network's list, and what each member practises."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from graph_service.services import Services
from graph_service.store import Store
from tests.conftest import GraphQLClient

SET = """
mutation($id: ID!, $tools: [String!]!) {
  setWellnessTools(memberId: $id, tools: $tools) { tools userErrors { field code message } }
}
"""


@pytest.fixture
async def tools(store: Store) -> None:
    """The default list of tools."""
    await Services.build(store).wellness.seed()


async def test_member_sets_own_tools_and_coordinator_sees_them(
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Callable[[str], Awaitable[str]],
    tools: None,
) -> None:
    aoife = await register("Aoife")
    listed = await as_member(aoife)("{ wellnessTools }")
    assert "Journaling" in listed["data"]["wellnessTools"]  # type: ignore[index]
    body = await as_member(aoife)(SET, id=aoife, tools=["mindfulness", "Journaling", "Journaling"])
    assert body["data"]["setWellnessTools"] == {  # type: ignore[index]
        "tools": ["Journaling", "Mindfulness"],
        "userErrors": [],
    }
    seen = await as_coordinator("query($id: ID!) { member(id: $id) { wellnessTools } }", id=aoife)
    assert seen["data"]["member"]["wellnessTools"] == ["Journaling", "Mindfulness"]  # type: ignore[index]
    cleared = await as_coordinator(SET, id=aoife, tools=[])
    assert cleared["data"]["setWellnessTools"]["tools"] == []  # type: ignore[index]


async def test_unknown_tool_and_other_member_refused(
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Callable[[str], Awaitable[str]],
    tools: None,
) -> None:
    aoife, brendan = await register("Aoife"), await register("Brendan")
    body = await as_member(aoife)(SET, id=aoife, tools=["Skydiving"])
    errors = body["data"]["setWellnessTools"]["userErrors"]  # type: ignore[index]
    assert [(e["field"], e["code"]) for e in errors] == [("tools", "INVALID_INPUT")]
    assert "Skydiving" in errors[0]["message"]
    other = await as_member(aoife)(SET, id=brendan, tools=["Music"])
    assert [e["extensions"]["code"] for e in other["errors"]] == ["FORBIDDEN"]  # type: ignore[union-attr]
    missing = await as_coordinator(SET, id="TWVtYmVyOm5vLXN1Y2g=", tools=["Music"])
    assert missing["data"]["setWellnessTools"]["userErrors"][0]["code"] == "NOT_FOUND"  # type: ignore[index]


async def test_coordinator_extends_the_list(
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Callable[[str], Awaitable[str]],
    tools: None,
) -> None:
    added = await as_coordinator(
        'mutation { addWellnessTool(name: "Sea swimming") { tools userErrors { code } } }'
    )
    assert "Sea swimming" in added["data"]["addWellnessTool"]["tools"]  # type: ignore[index]
    aoife = await register("Aoife")
    refused = await as_member(aoife)('mutation { addWellnessTool(name: "X") { tools } }')
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]  # type: ignore[union-attr]
    body = await as_member(aoife)(SET, id=aoife, tools=["sea swimming"])
    assert body["data"]["setWellnessTools"]["tools"] == ["Sea swimming"]  # type: ignore[index]
