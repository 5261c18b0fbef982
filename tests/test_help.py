"""Reciprocal help: recorded by a party, confirmed by the other, counted in the balance."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

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
RESPOND = """
mutation($tie: ID!) { respondToInvitation(tieId: $tie, accept: true) { userErrors { code } } }
"""
TODAY = date.today().isoformat()
Register = Callable[[str], Awaitable[str]]
AddSupporter = Callable[..., Awaitable[dict[str, Any]]]


async def _tied(
    add_supporter: AddSupporter, as_member: Callable[[str], GraphQLClient], a: str, b: str
) -> None:
    """b joins a's circle (invited by a coordinator, accepted by b)."""
    tie = await add_supporter(memberId=a, supporterMemberId=b, relation="PEER")
    accepted = await as_member(b)(RESPOND, tie=tie["tie"]["id"])
    assert accepted["data"]["respondToInvitation"]["userErrors"] == []  # type: ignore[index]


async def test_record_confirm_and_balance(
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Register,
    add_supporter: AddSupporter,
) -> None:
    a, b = await register("Aoife"), await register("Brendan")
    await _tied(add_supporter, as_member, a, b)
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


@pytest.mark.parametrize("other", ["stranger", "paused", "missing", "invited"])
async def test_members_record_help_only_within_their_circle(
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Register,
    add_supporter: AddSupporter,
    other: str,
) -> None:
    a, b = await register("Aoife"), await register("Brendan")
    if other == "paused":
        await as_coordinator(
            "mutation($id: ID!) { setMemberStatus(id: $id, status: PAUSED) { userErrors { code } } }",
            id=b,
        )
    elif other == "missing":
        b = "TWVtYmVyOm5vLXN1Y2g="  # Member:no-such
    elif other == "invited":  # named in a's circle, but has not accepted
        await add_supporter(memberId=a, supporterMemberId=b, relation="PEER")
    for variables, field in (
        ({"from": b, "to": a}, "fromMemberId"),
        ({"from": a, "to": b}, "toMemberId"),
    ):
        body = await as_member(a)(RECORD, **variables, on=TODAY, kind="LISTENING")
        # The same answer whatever b is: nothing to learn about a member by trying ids.
        assert body["data"]["recordHelp"] == {  # type: ignore[index]
            "help": None,
            "userErrors": [{"field": field, "code": "NOT_FOUND"}],
        }
    if other != "missing":
        balance = (await as_coordinator(BALANCE, id=b))["data"]["member"]["helpBalance"]  # type: ignore[index]
        assert balance == {"given": 0, "received": 0, "confirmedGiven": 0, "confirmedReceived": 0}


async def test_help_a_coordinator_recorded_is_confirmed_by_its_receiver(
    as_coordinator: GraphQLClient, as_member: Callable[[str], GraphQLClient], register: Register
) -> None:
    giver, receiver = await register("Aoife"), await register("Brendan")
    recorded = await as_coordinator(
        RECORD, **{"from": giver, "to": receiver, "on": TODAY, "kind": "PRACTICAL"}
    )
    help_id = recorded["data"]["recordHelp"]["help"]["id"]  # type: ignore[index]
    own = await as_member(giver)(CONFIRM, id=help_id)
    assert own["data"]["confirmHelp"] == {"help": None, "userErrors": [{"code": "INVALID_INPUT"}]}  # type: ignore[index]
    confirmed = await as_member(receiver)(CONFIRM, id=help_id)
    assert confirmed["data"]["confirmHelp"] == {"help": {"confirmed": True}, "userErrors": []}  # type: ignore[index]


REJECT = "mutation($id: ID!) { rejectHelp(id: $id) { rejectedHelpId userErrors { code } } }"
AUDIT = """
query($target: String) { auditLog(first: 50, targetId: $target) { edges { node { action } } } }
"""


async def test_reject_removes_the_record_and_is_audited(
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Register,
    add_supporter: AddSupporter,
) -> None:
    a, b, c = await register("Aoife"), await register("Brendan"), await register("Cathal")
    await _tied(add_supporter, as_member, a, b)
    recorded = await as_member(a)(RECORD, **{"from": a, "to": b, "on": TODAY, "kind": "LISTENING"})
    help_id = recorded["data"]["recordHelp"]["help"]["id"]  # type: ignore[index]
    own = await as_member(a)(REJECT, id=help_id)
    assert own["data"]["rejectHelp"]["userErrors"] == [{"code": "INVALID_INPUT"}]  # type: ignore[index]
    outsider = await as_member(c)(REJECT, id=help_id)
    assert [e["extensions"]["code"] for e in outsider["errors"]] == ["FORBIDDEN"]  # type: ignore[union-attr]
    rejected = await as_member(b)(REJECT, id=help_id)
    assert rejected["data"]["rejectHelp"] == {"rejectedHelpId": help_id, "userErrors": []}  # type: ignore[index]
    for member in (a, b):
        balance = (await as_coordinator(BALANCE, id=member))["data"]["member"]["helpBalance"]  # type: ignore[index]
        assert balance == {"given": 0, "received": 0, "confirmedGiven": 0, "confirmedReceived": 0}
        log = await as_coordinator(AUDIT, target=member)
        actions = [e["node"]["action"] for e in log["data"]["auditLog"]["edges"]]  # type: ignore[index]
        assert actions.count("help.reject") == 1
    gone = await as_member(b)(REJECT, id=help_id)
    assert gone["data"]["rejectHelp"]["userErrors"] == [{"code": "NOT_FOUND"}]  # type: ignore[index]
    # A confirmed record stays: it cannot be rejected afterwards.
    again = await as_member(a)(RECORD, **{"from": a, "to": b, "on": TODAY, "kind": "PRACTICAL"})
    kept = again["data"]["recordHelp"]["help"]["id"]  # type: ignore[index]
    await as_member(b)(CONFIRM, id=kept)
    late = (await as_member(b)(REJECT, id=kept))["data"]["rejectHelp"]  # type: ignore[index]
    assert late == {"rejectedHelpId": None, "userErrors": [{"code": "NOT_PENDING"}]}
