"""Audit trail, members' access logs, export of everything held, and erasure."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import httpx
import pytest

from graph_service.auth import Role
from graph_service.ids import to_global_id
from graph_service.services import Services
from graph_service.store import Store
from tests.conftest import GraphQLClient, token_for

Register = Callable[[str], Awaitable[str]]
Add = Callable[..., Awaitable[dict[str, Any]]]
TODAY = date.today().isoformat()
SOUTHPORT = to_global_id("College", "southport-college")
WRAP = to_global_id("Course", "sc-wrap-intro")

AUDIT = """
query($target: String, $actor: String) {
  auditLog(first: 100, targetId: $target, actorId: $actor) {
    totalCount edges { node { at actorId actorRole action targetId requestId } }
  }
}
"""
ACCESS_LOG = (
    "{ me { member { accessLog(first: 50) { totalCount edges { node { actorRole action } } } } } }"
)


async def _actions(client: GraphQLClient, target: str | None = None) -> list[str]:
    body = await client(AUDIT, target=target)
    assert "errors" not in body, body
    return [e["node"]["action"] for e in body["data"]["auditLog"]["edges"]]  # type: ignore[index]


@pytest.fixture
async def seeded(store: Store) -> None:
    """The partner colleges and courses."""
    await Services.build(store).colleges.seed()


async def test_every_write_appends_an_event(
    http: httpx.AsyncClient,
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Register,
    add_supporter: Add,
    seeded: None,
) -> None:
    a, b = await register("Aoife"), await register("Brendan")
    await as_coordinator(
        'mutation($id: ID!) { updateMember(input: {id: $id, displayName: "Aoife M"}) { userErrors { code } } }',
        id=a,
    )
    await as_coordinator(
        "mutation($id: ID!) { setMemberStatus(id: $id, status: ACTIVE) { userErrors { code } } }",
        id=a,
    )
    person = await add_supporter(memberId=a, relation="FAMILY", person={"displayName": "Mam"})
    invite = await add_supporter(memberId=a, relation="PEER", supporterMemberId=b)
    await as_member(b)(
        "mutation($t: ID!) { respondToInvitation(tieId: $t, accept: true) { userErrors { code } } }",
        t=invite["tie"]["id"],
    )
    await as_coordinator(
        "mutation($t: ID!) { updateSupporter(tieId: $t, relation: FRIEND) { userErrors { code } } }",
        t=person["tie"]["id"],
    )
    await as_coordinator(
        "mutation($t: ID!) { endSupport(tieId: $t) { userErrors { code } } }", t=person["tie"]["id"]
    )
    recorded = await as_member(a)(
        "mutation($f: ID!, $t: ID!, $on: Date!) { recordHelp(input: {fromMemberId: $f, toMemberId: $t,"
        " on: $on, kind: LISTENING}) { help { id } } }",
        f=a,
        t=b,
        on=TODAY,
    )
    await as_member(b)(
        "mutation($id: ID!) { confirmHelp(id: $id) { userErrors { code } } }",
        id=recorded["data"]["recordHelp"]["help"]["id"],
    )  # type: ignore[index]
    await as_member(a)(
        "mutation($c: ID!) { grantCollegeConsent(collegeId: $c) { userErrors { code } } }",
        c=SOUTHPORT,
    )
    college = GraphQLClient(http, token_for(Role.COLLEGE, college_id=SOUTHPORT))
    linked = await college(
        "mutation($m: ID!, $c: ID!, $on: Date!) { linkEnrolment(input: {memberId: $m, courseId: $c,"
        " enrolledOn: $on}) { enrolment { id } } }",
        m=a,
        c=WRAP,
        on=TODAY,
    )
    await college(
        "mutation($id: ID!) { updateEnrolment(id: $id, status: WITHDRAWN) { userErrors { code } } }",
        id=linked["data"]["linkEnrolment"]["enrolment"]["id"],
    )  # type: ignore[index]
    await as_member(a)(
        "mutation($c: ID!) { revokeCollegeConsent(collegeId: $c) { userErrors { code } } }",
        c=SOUTHPORT,
    )
    await as_coordinator(
        'mutation { createOrganisation(input: {name: "Sefton Carers", kind: OTHER}) { userErrors { code } } }'
    )
    actions = set(await _actions(as_coordinator, target=a))
    assert {
        "member.register",
        "member.update",
        "member.status.active",
        "circle.add",
        "circle.accept",
        "circle.update",
        "circle.end",
        "help.record",
        "help.confirm",
        "consent.grant",
        "enrolment.link",
        "enrolment.update",
        "consent.revoke",
    } <= actions
    assert "organisation.create" in await _actions(as_coordinator)
    # Events carry ids and roles, never names or health details.
    log = json.dumps(await as_coordinator(AUDIT))
    for name in ("Aoife", "Brendan", "Mam", "LISTENING", "FAMILY"):
        assert name not in log


async def test_coordinator_reads_are_audited_and_members_see_them(
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Register,
) -> None:
    a = await register("Aoife")
    before = await _actions(as_coordinator, target=a)
    await as_coordinator(
        "query($id: ID!) { member(id: $id) { displayName circle { id } helpBalance { given }"
        " enrolments { id } } }",
        id=a,
    )
    after = await _actions(as_coordinator, target=a)
    read = [x for x in after if x.endswith(".read")]
    assert sorted(read) == ["circle.read", "enrolments.read", "help.read", "member.read"]
    assert len(after) == len(before) + 4
    # The member reading their own data leaves no read events, but sees the coordinator's.
    await as_member(a)("{ me { member { circle { id } helpBalance { given } } } }")
    assert len(await _actions(as_coordinator, target=a)) == len(after)
    mine = (await as_member(a)(ACCESS_LOG))["data"]["me"]["member"]["accessLog"]  # type: ignore[index]
    seen = {(e["node"]["actorRole"], e["node"]["action"]) for e in mine["edges"]}
    assert ("coordinator", "circle.read") in seen and ("coordinator", "member.register") in seen


async def test_audit_log_is_for_coordinators_and_cannot_be_changed(
    as_member: Callable[[str], GraphQLClient], register: Register, as_coordinator: GraphQLClient
) -> None:
    a, b = await register("Aoife"), await register("Brendan")
    refused = await as_member(a)(AUDIT)
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]  # type: ignore[union-attr]
    other = await as_member(a)(
        "query($id: ID!) { member(id: $id) { accessLog { totalCount } } }", id=b
    )
    assert [e["extensions"]["code"] for e in other["errors"]] == ["FORBIDDEN"]  # type: ignore[union-attr]
    introspection = await as_coordinator("{ __schema { mutationType { fields { name } } } }")
    names = [f["name"] for f in introspection["data"]["__schema"]["mutationType"]["fields"]]  # type: ignore[index]
    assert not [n for n in names if "audit" in n.lower()]


async def test_coordinator_actor_is_named_by_token_subject(
    http: httpx.AsyncClient, register: Register
) -> None:
    from graph_service.auth import issue_token
    from tests.conftest import SECRET

    named = GraphQLClient(
        http, issue_token(SECRET, Role.COORDINATOR, subject="coordinator:siobhan")
    )
    body = await named(
        'mutation { registerMember(input: {displayName: "Ciara"}) { member { id } } }'
    )
    member = body["data"]["registerMember"]["member"]["id"]  # type: ignore[index]
    log = await named(AUDIT, target=member)
    node = log["data"]["auditLog"]["edges"][0]["node"]  # type: ignore[index]
    assert (node["actorId"], node["actorRole"], node["targetId"]) == (
        "coordinator:siobhan",
        "coordinator",
        member,
    )


async def test_export_contains_everything_held(
    http: httpx.AsyncClient,
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Register,
    add_supporter: Add,
    seeded: None,
) -> None:
    a, b = await register("Aoife"), await register("Brendan")
    await add_supporter(memberId=a, relation="FAMILY", person={"displayName": "Mam"})
    ended = await add_supporter(memberId=a, relation="FRIEND", person={"displayName": "Pat"})
    await as_coordinator(
        "mutation($t: ID!) { endSupport(tieId: $t) { userErrors { code } } }", t=ended["tie"]["id"]
    )
    await add_supporter(memberId=b, relation="PEER", supporterMemberId=a)
    # A coordinator records it: members record help only with those in their circles.
    await as_coordinator(
        "mutation($f: ID!, $t: ID!, $on: Date!) { recordHelp(input: {fromMemberId: $f, toMemberId: $t,"
        " on: $on, kind: PRACTICAL}) { help { id } } }",
        f=a,
        t=b,
        on=TODAY,
    )
    await as_member(a)(
        "mutation($c: ID!) { grantCollegeConsent(collegeId: $c) { userErrors { code } } }",
        c=SOUTHPORT,
    )
    college = GraphQLClient(http, token_for(Role.COLLEGE, college_id=SOUTHPORT))
    await college(
        "mutation($m: ID!, $c: ID!, $on: Date!) { linkEnrolment(input: {memberId: $m, courseId: $c,"
        " enrolledOn: $on}) { userErrors { code } } }",
        m=a,
        c=WRAP,
        on=TODAY,
    )
    await as_coordinator("query($id: ID!) { member(id: $id) { circle { id } } }", id=a)
    body = await as_member(a)("{ exportMyData }")
    doc = body["data"]["exportMyData"]  # type: ignore[index]
    assert doc["member"]["id"] == a and doc["member"]["displayName"] == "Aoife"
    assert sorted((t["supporter"]["name"], t["status"]) for t in doc["circle"]) == [
        ("Mam", "ACTIVE"),
        ("Pat", "ENDED"),
    ]
    assert [(t["member"]["displayName"], t["status"]) for t in doc["supporting"]] == [
        ("Brendan", "INVITED")
    ]
    assert len(doc["invitations"]) == 1
    assert [(h["direction"], h["otherMember"], h["kind"]) for h in doc["help"]] == [
        ("given", b, "PRACTICAL")
    ]
    assert [e["course"] for e in doc["enrolments"]] == [WRAP]
    assert [(c["collegeName"], c["revokedAt"]) for c in doc["consents"]] == [
        ("Southport College", None)
    ]
    assert ("coordinator", "circle.read") in {
        (e["actorRole"], e["action"]) for e in doc["accessLog"]
    }
    refused = await as_coordinator("{ exportMyData }")
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]  # type: ignore[union-attr]


async def test_erasure_leaves_no_trace_but_pseudonymous_audit(
    http: httpx.AsyncClient,
    store: Store,
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Register,
    add_supporter: Add,
    connect_code: Callable[[str], Awaitable[str]],
    seeded: None,
) -> None:
    a, b = await register("Aoife Erased"), await register("Brendan")
    await connect_code(a)  # never used: it must go with her
    await add_supporter(memberId=a, relation="FAMILY", person={"displayName": "Mam Only"})
    shared = await add_supporter(
        memberId=b, relation="FRIEND", person={"displayName": "Pal Of Brendan"}
    )
    assert shared["userErrors"] == []
    tie = await add_supporter(memberId=b, relation="PEER", supporterMemberId=a)
    await as_member(a)(
        "mutation($t: ID!) { respondToInvitation(tieId: $t, accept: true) { userErrors { code } } }",
        t=tie["tie"]["id"],
    )
    await add_supporter(memberId=a, relation="PEER", supporterMemberId=b)
    await as_member(a)(
        "mutation($f: ID!, $t: ID!, $on: Date!) { recordHelp(input: {fromMemberId: $f, toMemberId: $t,"
        " on: $on, kind: LISTENING}) { help { id } } }",
        f=a,
        t=b,
        on=TODAY,
    )
    await as_member(a)(
        "mutation($c: ID!) { grantCollegeConsent(collegeId: $c) { userErrors { code } } }",
        c=SOUTHPORT,
    )
    await as_coordinator(
        "mutation($m: ID!, $c: ID!, $on: Date!) { linkEnrolment(input: {memberId: $m, courseId: $c,"
        " enrolledOn: $on}) { userErrors { code } } }",
        m=a,
        c=WRAP,
        on=TODAY,
    )
    erased = await as_coordinator(
        "mutation($id: ID!) { eraseMember(id: $id) { erasedMemberId userErrors { code } } }", id=a
    )
    assert erased["data"]["eraseMember"] == {"erasedMemberId": a, "userErrors": []}  # type: ignore[index]
    # Nothing answers about the person any more.
    assert (await as_coordinator("query($id: ID!) { member(id: $id) { id } }", id=a))["data"] == {
        "member": None
    }
    assert (await as_coordinator("query($id: ID!) { node(id: $id) { id } }", id=a))["data"] == {
        "node": None
    }
    listed = await as_coordinator('{ members(search: "Erased") { totalCount } }')
    assert listed["data"]["members"]["totalCount"] == 0  # type: ignore[index]
    assert (await as_member(a)("{ exportMyData }"))["data"] == {"exportMyData": None}
    brendan = await as_coordinator(
        "query($id: ID!) { member(id: $id) { circle(includeEnded: true) { supporter { __typename } }"
        " supporting { id } helpBalance { given received } } }",
        id=b,
    )
    member_b = brendan["data"]["member"]  # type: ignore[index]
    # B keeps their own supporter; the ties to and from the erased member are gone.
    assert member_b["circle"] == [{"supporter": {"__typename": "Person"}}]
    assert member_b["supporting"] == [] and member_b["helpBalance"] == {"given": 0, "received": 0}
    course = await as_coordinator(
        "query($id: ID!) { college(id: $id) { courses { enrolmentCount } } }", id=SOUTHPORT
    )
    assert sum(c["enrolmentCount"] for c in course["data"]["college"]["courses"]) == 0  # type: ignore[index]
    # The graph holds no text about the person: only audit events naming their pseudonymous id.
    rows = await store.read("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    text = json.dumps(rows)
    assert "Aoife" not in text and "Mam Only" not in text
    remaining = [r for r in rows if a in json.dumps(r)]
    assert remaining and all(r["labels"] == ["AuditEvent"] for r in remaining)
    assert not [r for r in rows if "ConnectCode" in r["labels"]]
    actions = await _actions(as_coordinator, target=a)
    assert "member.erase" in actions
    again = await as_coordinator(
        "mutation($id: ID!) { eraseMember(id: $id) { erasedMemberId userErrors { code } } }", id=a
    )
    assert again["data"]["eraseMember"] == {
        "erasedMemberId": None,
        "userErrors": [{"code": "NOT_FOUND"}],
    }  # type: ignore[index]
    refused = await as_member(b)(
        "mutation($id: ID!) { eraseMember(id: $id) { userErrors { code } } }", id=b
    )
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]  # type: ignore[union-attr]
