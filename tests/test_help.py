"""Reciprocal help: recorded by a party, confirmed by the other, counted in the balance."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta

import pytest

from tests.conftest import GraphQLClient

RECORD = """
mutation($from: ID!, $to: ID!, $on: Date!, $kind: HelpKind!) {
  recordHelp(input: {fromMemberId: $from, toMemberId: $to, on: $on, kind: $kind}) {
    help { id confirmed kind from { id } to { id } } userErrors { field code }
  }
}
"""
CONFIRM = "mutation($id: ID!) { confirmHelp(id: $id) { help { confirmed } userErrors { code } } }"
BALANCE = """
query($id: ID!) {
  member(id: $id) { helpBalance { given received confirmedGiven confirmedReceived } }
}
"""
TODAY = date.today().isoformat()
Register = Callable[[str], Awaitable[str]]


async def test_record_confirm_and_balance(
    as_coordinator: GraphQLClient, as_member: Callable[[str], GraphQLClient], register: Register
) -> None:
    a, b = await register("Aoife"), await register("Brendan")
    recorded = await as_member(a)(RECORD, **{"from": a, "to": b, "on": TODAY, "kind": "LISTENING"})
    help_ = recorded["data"]["recordHelp"]["help"]  # type: ignore[index]
    assert help_["confirmed"] is False and help_["from"]["id"] == a and help_["to"]["id"] == b
    pending = await as_member(b)("{ me { member { pendingHelp { id } } } }")
    assert pending["data"]["me"]["member"]["pendingHelp"] == [{"id": help_["id"]}]  # type: ignore[index]
    own = await as_member(a)(CONFIRM, id=help_["id"])
    assert own["data"]["confirmHelp"]["userErrors"] == [{"code": "INVALID_INPUT"}]  # type: ignore[index]
    confirmed = await as_member(b)(CONFIRM, id=help_["id"])
    assert confirmed["data"]["confirmHelp"] == {"help": {"confirmed": True}, "userErrors": []}  # type: ignore[index]
    twice = await as_member(b)(CONFIRM, id=help_["id"])
    assert twice["data"]["confirmHelp"]["userErrors"] == [{"code": "NOT_PENDING"}]  # type: ignore[index]
    await as_coordinator(RECORD, **{"from": b, "to": a, "on": TODAY, "kind": "PRACTICAL"})
    balance_a = (await as_coordinator(BALANCE, id=a))["data"]["member"]["helpBalance"]  # type: ignore[index]
    assert balance_a == {"given": 1, "received": 1, "confirmedGiven": 1, "confirmedReceived": 0}


@pytest.mark.parametrize(
    ("case", "field", "code"),
    [
        ("self", "toMemberId", "INVALID_INPUT"),
        ("future", "on", "INVALID_INPUT"),
        ("missing", "fromMemberId", "NOT_FOUND"),
        ("bad-id", "toMemberId", "INVALID_INPUT"),
    ],
    ids=["self", "future", "missing", "bad-id"],
)
async def test_record_help_user_errors(
    as_coordinator: GraphQLClient, register: Register, case: str, field: str, code: str
) -> None:
    a, b = await register("Aoife"), await register("Brendan")
    variables = {"from": a, "to": b, "on": TODAY, "kind": "SKILLS"}
    if case == "self":
        variables["to"] = a
    elif case == "future":
        variables["on"] = (date.today() + timedelta(days=2)).isoformat()
    elif case == "missing":
        variables["from"] = "TWVtYmVyOm5vLXN1Y2g="
    else:
        variables["to"] = "nonsense"
    body = await as_coordinator(RECORD, **variables)
    assert body["data"]["recordHelp"] == {
        "help": None,
        "userErrors": [{"field": field, "code": code}],
    }  # type: ignore[index]


async def test_unknown_help_is_not_found(
    as_member: Callable[[str], GraphQLClient], register: Register
) -> None:
    a = await register("Aoife")
    body = await as_member(a)(CONFIRM, id="SGVscDpuby1zdWNo")  # Help:no-such
    assert body["data"]["confirmHelp"]["userErrors"] == [{"code": "NOT_FOUND"}]  # type: ignore[index]
