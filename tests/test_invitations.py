"""Members inviting members: connect codes, refusals that say nothing about the other member,
names withheld until they accept, and the cooling-off after a decline."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from graph_service.auth import Principal, Role
from graph_service.ids import from_global_id
from graph_service.services import Services
from graph_service.services.connect_codes import ALPHABET
from graph_service.services.profiles import member_profile
from graph_service.store import Store
from tests.conftest import REGISTER, GraphQLClient, RunningServer, signin_secret, token_for

Register = Callable[[str], Awaitable[str]]
Add = Callable[..., Awaitable[dict[str, Any]]]
Code = Callable[[str], Awaitable[str]]
AsMember = Callable[[str], GraphQLClient]

SECRET_NAME = "Brendan Secret"
INVITE = """
mutation($input: AddSupporterInput!) {
  addSupporter(input: $input) {
    tie { id status supporterNameWithheld supporter { ... on Member { id displayName } } }
    userErrors { field code message }
  }
}
"""
UNIFORM = {
    "tie": None,
    "userErrors": [
        {
            "field": "connectCode",
            "code": "NOT_FOUND",
            "message": "that did not work: ask the person you want to invite for a new connect code",
        }
    ],
}
RESPOND = """
mutation($t: ID!, $a: Boolean!) { respondToInvitation(tieId: $t, accept: $a) { userErrors { code } } }
"""
PAUSE = "mutation($id: ID!) { setMemberStatus(id: $id, status: PAUSED) { userErrors { code } } }"
CODE_SHAPE = re.compile(f"^[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")
NO_SUCH_MEMBER = "TWVtYmVyOm5vLXN1Y2g="  # Member:no-such


def _past(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat(timespec="milliseconds")


async def _invite(client: GraphQLClient, member: str, **supporter: str) -> httpx.Response:
    return await client.post(INVITE, input={"memberId": member, "relation": "PEER", **supporter})


def _payload(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["addSupporter"]  # type: ignore[no-any-return]


async def _supports(add: Add, as_member: AsMember, member: str, supporter: str) -> str:
    """An ACTIVE tie member -> supporter (named by a coordinator, accepted)."""
    tie = (await add(memberId=member, relation="FRIEND", supporterMemberId=supporter))["tie"]
    answered = await as_member(supporter)(RESPOND, t=tie["id"], a=True)
    assert answered["data"]["respondToInvitation"]["userErrors"] == []  # type: ignore[index]
    return str(tie["id"])


async def test_a_code_is_short_grouped_and_kept_only_as_a_hash(
    store: Store, as_member: AsMember, register: Register
) -> None:
    b = await register("Brendan")
    body = await as_member(b)(
        "mutation { createConnectCode { code expiresAt userErrors { code } } }"
    )
    made = body["data"]["createConnectCode"]  # type: ignore[index]
    assert made["userErrors"] == [] and CODE_SHAPE.match(made["code"]), made
    lifetime = datetime.fromisoformat(made["expiresAt"]) - datetime.now(UTC)
    assert timedelta(minutes=1430) < lifetime <= timedelta(minutes=1440)
    rows = await store.read("MATCH (c:ConnectCode) RETURN properties(c) AS c")
    plain = made["code"].replace("-", "")
    assert [r["c"]["hash"] for r in rows] == [hashlib.sha256(plain.encode()).hexdigest()]
    everything = json.dumps(await store.read("MATCH (n) RETURN properties(n) AS p"))
    assert plain not in everything and made["code"] not in everything


@pytest.mark.parametrize(
    "spelling",
    [
        lambda code: code,
        lambda code: code.lower(),
        lambda code: code.replace("-", ""),
        lambda code: " " + code.replace("-", " ").lower() + " ",
    ],
    ids=["as-shown", "lower-case", "no-dash", "spaces"],
)
async def test_a_code_is_accepted_however_it_is_typed(
    as_member: AsMember,
    register: Register,
    connect_code: Code,
    spelling: Callable[[str], str],
) -> None:
    a, b = await register("Aoife"), await register(SECRET_NAME)
    code = await connect_code(b)
    payload = _payload(await _invite(as_member(a), a, connectCode=spelling(code)))
    assert payload["userErrors"] == [] and payload["tie"]["status"] == "INVITED"
    assert payload["tie"]["supporter"]["id"] == b
    invitations = await as_member(b)("{ me { member { invitations { member { displayName } } } } }")
    assert invitations["data"]["me"]["member"]["invitations"] == [  # type: ignore[index]
        {"member": {"displayName": "Aoife"}}
    ]


async def test_a_code_works_once_even_when_two_race_for_it(
    as_member: AsMember, register: Register, connect_code: Code
) -> None:
    a, c, b = await register("Aoife"), await register("Cathal"), await register(SECRET_NAME)
    code = await connect_code(b)
    first, second = await asyncio.gather(
        _invite(as_member(a), a, connectCode=code), _invite(as_member(c), c, connectCode=code)
    )
    payloads = [_payload(first), _payload(second)]
    assert sorted(p["userErrors"] == [] for p in payloads) == [False, True]
    assert UNIFORM in payloads
    # Used is used, also for the one who used it.
    winner = a if payloads[0]["userErrors"] == [] else c
    again = _payload(await _invite(as_member(winner), winner, connectCode=code))
    assert again == UNIFORM


async def test_a_new_code_replaces_the_older_one(
    as_member: AsMember, register: Register, connect_code: Code
) -> None:
    a, b = await register("Aoife"), await register(SECRET_NAME)
    old = await connect_code(b)
    new = await connect_code(b)
    assert _payload(await _invite(as_member(a), a, connectCode=old)) == UNIFORM
    assert _payload(await _invite(as_member(a), a, connectCode=new))["userErrors"] == []


CASES = [
    "no-such-member",
    "paused",
    "stranger",
    "paused-with-code",
    "wrong-code",
    "malformed-code",
    "expired-code",
    "used-code",
    "cooling-off",
    "cooling-off-code-made-before",
    "only-invited-me",
]


@pytest.mark.parametrize("case", CASES)
async def test_every_refusal_about_another_member_reads_the_same(
    store: Store,
    as_coordinator: GraphQLClient,
    as_member: AsMember,
    register: Register,
    add_supporter: Add,
    connect_code: Code,
    case: str,
) -> None:
    a, b, c = await register("Aoife"), await register(SECRET_NAME), await register("Cathal")
    me = as_member(a)
    given: dict[str, str] = {"supporterMemberId": b}
    if case == "no-such-member":
        given = {"supporterMemberId": NO_SUCH_MEMBER}
    elif case == "paused":
        await _supports(add_supporter, as_member, b, a)  # even one who knows them
        await as_coordinator(PAUSE, id=b)
    elif case == "paused-with-code":
        given = {"connectCode": await connect_code(b)}
        await as_coordinator(PAUSE, id=b)
    elif case == "wrong-code":
        await connect_code(b)
        given = {"connectCode": "ABCD-EFGH"}
    elif case == "malformed-code":
        given = {"connectCode": "not a code at all 0O1Il"}
    elif case == "expired-code":
        given = {"connectCode": await connect_code(b)}
        await store.write("MATCH (c:ConnectCode) SET c.expiresAt = $past", past=_past(minutes=1))
    elif case == "used-code":
        given = {"connectCode": await connect_code(b)}
        assert _payload(await _invite(as_member(c), c, **given))["userErrors"] == []
    elif case in ("cooling-off", "cooling-off-code-made-before"):
        await _supports(add_supporter, as_member, b, a)  # B has A as a supporter ...
        early = await connect_code(b) if case == "cooling-off-code-made-before" else None
        tie = _payload(await _invite(me, a, supporterMemberId=b))["tie"]  # ... so A invites B
        await as_member(b)(RESPOND, t=tie["id"], a=False)  # and B declines
        if early is not None:
            given = {"connectCode": early}
    elif case == "only-invited-me":  # B named A, but A has not accepted: no tie yet
        await add_supporter(memberId=b, relation="PEER", supporterMemberId=a)
    refused = await _invite(me, a, **given)
    assert _payload(refused) == UNIFORM
    # Byte for byte what a stranger's id gets.
    reference = await _invite(me, a, supporterMemberId=c)
    assert refused.content == reference.content
    assert SECRET_NAME not in refused.text


async def test_refusals_about_my_own_circle_keep_their_codes(
    as_member: AsMember, register: Register, add_supporter: Add, connect_code: Code
) -> None:
    a, b, c = await register("Aoife"), await register(SECRET_NAME), await register("Cathal")
    me = as_member(a)
    own = _payload(await _invite(me, a, connectCode=await connect_code(a)))
    assert [e["code"] for e in own["userErrors"]] == ["SELF_SUPPORT"]
    assert _payload(await _invite(me, a, connectCode=await connect_code(b)))["userErrors"] == []
    # A's own circle shows B (by id): saying B is in it already tells A nothing new.
    for given in ({"supporterMemberId": b}, {"connectCode": await connect_code(b)}):
        twice = _payload(await _invite(me, a, **given))
        assert [e["code"] for e in twice["userErrors"]] == ["ALREADY_IN_CIRCLE"]
    code = await connect_code(c)
    for n in range(4):
        await add_supporter(memberId=a, relation="FRIEND", person={"displayName": f"F{n}"})
    # A full circle says so whatever the code: it tells nothing about anyone else ...
    for typed in (code, "ABCD-EFGH"):
        full = _payload(await _invite(me, a, connectCode=typed))
        assert [e["code"] for e in full["userErrors"]] == ["CIRCLE_FULL"]
    # ... and does not use the code up.
    circle = await me("query($id: ID!) { member(id: $id) { circle { id } } }", id=a)
    last = circle["data"]["member"]["circle"][-1]["id"]  # type: ignore[index]
    await me("mutation($t: ID!) { endSupport(tieId: $t) { userErrors { code } } }", t=last)
    assert _payload(await _invite(me, a, connectCode=code))["userErrors"] == []


async def test_too_many_wrong_codes_stop_every_code_for_a_while(
    store: Store, as_member: AsMember, register: Register, connect_code: Code
) -> None:
    a, b = await register("Aoife"), await register(SECRET_NAME)
    for n in range(10):
        assert _payload(await _invite(as_member(a), a, connectCode=f"WRNG-{n + 2}ABC")) == UNIFORM
    code = await connect_code(b)
    assert _payload(await _invite(as_member(a), a, connectCode=code)) == UNIFORM
    # An hour later the count starts again (and the right code was not used up).
    await store.write("MATCH (m:Member) SET m.codeMissesSince = $past", past=_past(hours=2))
    assert _payload(await _invite(as_member(a), a, connectCode=code))["userErrors"] == []


async def test_members_who_already_support_me_can_be_invited_by_id(
    as_coordinator: GraphQLClient, as_member: AsMember, register: Register, add_supporter: Add
) -> None:
    a, b = await register("Aoife"), await register(SECRET_NAME)
    assert _payload(await _invite(as_member(a), a, supporterMemberId=b)) == UNIFORM
    await _supports(add_supporter, as_member, b, a)
    invited = _payload(await _invite(as_member(a), a, supporterMemberId=b))
    assert invited["userErrors"] == [] and invited["tie"]["status"] == "INVITED"
    # Coordinators name anyone by id, as before, and see the name.
    c = await register("Cathal")
    named = await add_supporter(memberId=c, relation="PEER", supporterMemberId=b)
    assert named["userErrors"] == []


async def test_cooling_off_after_a_decline_and_a_new_code_lifts_it(
    store: Store,
    as_member: AsMember,
    register: Register,
    add_supporter: Add,
    connect_code: Code,
) -> None:
    a, b = await register("Aoife"), await register(SECRET_NAME)
    me = as_member(a)
    tie = _payload(await _invite(me, a, connectCode=await connect_code(b)))["tie"]
    await as_member(b)(RESPOND, t=tie["id"], a=False)
    await _supports(add_supporter, as_member, b, a)  # even knowing each other: not yet
    assert _payload(await _invite(me, a, supporterMemberId=b)) == UNIFORM
    # B's own new code lets A invite again at once.
    again = _payload(await _invite(me, a, connectCode=await connect_code(b)))
    assert again["userErrors"] == []
    await as_member(b)(RESPOND, t=again["tie"]["id"], a=False)
    assert _payload(await _invite(me, a, supporterMemberId=b)) == UNIFORM
    # After INVITE_COOLING_OFF_DAYS (30) the pause is over.
    await store.write(
        "MATCH ()-[t:SUPPORTED_BY {status: 'DECLINED'}]->() SET t.respondedAt = $past",
        past=_past(days=31),
    )
    assert _payload(await _invite(me, a, supporterMemberId=b))["userErrors"] == []


async def test_cooling_off_days_is_a_setting(
    make_settings: Callable[..., Any], serve: Callable[[Any], RunningServer]
) -> None:
    server = serve(make_settings(invite_cooling_off_days=0))
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        boss = GraphQLClient(http, token_for(Role.COORDINATOR))

        def member(m: str) -> GraphQLClient:
            return GraphQLClient(http, token_for(Role.MEMBER, member_id=m))

        ids = []
        for name in ("Aoife", SECRET_NAME):
            registered = await boss(REGISTER, name=name)
            ids.append(str(registered["data"]["registerMember"]["member"]["id"]))  # type: ignore[index]
        a, b = ids
        made = await member(b)("mutation { createConnectCode { code } }")
        code = made["data"]["createConnectCode"]["code"]  # type: ignore[index]
        tie = _payload(await _invite(member(a), a, connectCode=code))["tie"]
        await member(b)(RESPOND, t=tie["id"], a=False)
        back = await boss(INVITE, input={"memberId": b, "relation": "PEER", "supporterMemberId": a})
        await member(a)(RESPOND, t=back["data"]["addSupporter"]["tie"]["id"], a=True)  # type: ignore[index]
        # No cooling-off: knowing each other is enough at once.
        assert _payload(await _invite(member(a), a, supporterMemberId=b))["userErrors"] == []


LEAKS = {
    "payload": None,
    "circle": "query($id: ID!) { member(id: $id) { circle(includeEnded: true) {"
    " supporterNameWithheld supporter { ... on Member { displayName } } } } }",
    "node": "query($tie: ID!) { node(id: $tie) { ... on Tie {"
    " supporterNameWithheld supporter { ... on Member { displayName } } } } }",
    "status": "query($id: ID!) { member(id: $id) { circle {"
    " supporter { ... on Member { status memberSince } } } } }",
    "update": "mutation($tie: ID!) { updateSupporter(tieId: $tie, relation: FRIEND) {"
    " tie { supporterNameWithheld supporter { ... on Member { displayName } } } } }",
    "end": "mutation($tie: ID!) { endSupport(tieId: $tie) {"
    " tie { supporterNameWithheld supporter { ... on Member { displayName } } } } }",
    "export": "{ exportMyData }",
}


SEEN = [("payload", "invited")] + [
    (field, state) for field in LEAKS if field != "payload" for state in ("invited", "declined")
]


@pytest.mark.parametrize(("field", "state"), SEEN, ids=[f"{f}-{s}" for f, s in SEEN])
async def test_the_inviter_learns_nothing_about_them_until_they_accept(
    as_coordinator: GraphQLClient,
    as_member: AsMember,
    register: Register,
    connect_code: Code,
    field: str,
    state: str,
) -> None:
    a, b = await register("Aoife"), await register(SECRET_NAME)
    made = await _invite(as_member(a), a, connectCode=await connect_code(b))
    tie = _payload(made)["tie"]
    if field == "payload":
        assert tie["supporterNameWithheld"] is True
        assert tie["supporter"] == {"id": b, "displayName": "Invited member"}
        assert SECRET_NAME not in made.text
        return
    if state == "declined":
        await as_member(b)(RESPOND, t=tie["id"], a=False)
    body = await as_member(a)(LEAKS[field], id=a, tie=tie["id"])
    text = json.dumps(body)
    assert SECRET_NAME not in text
    if field == "status":
        if state == "invited":  # a declined tie is not in the open circle
            assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]  # type: ignore[union-attr]
    elif field == "export":
        circle = body["data"]["exportMyData"]["circle"]  # type: ignore[index]
        assert [(t["supporter"]["name"], t["supporter"]["nameWithheld"]) for t in circle] == [
            ("Invited member", True)
        ]
    elif state == "invited" or field in ("circle", "node"):  # a declined tie cannot change
        assert "Invited member" in text and '"supporterNameWithheld": true' in text, body
    # Coordinators and the invited member see the name.
    seen = await as_coordinator(LEAKS["node"], tie=tie["id"])
    assert SECRET_NAME in json.dumps(seen)
    assert SECRET_NAME in json.dumps(await as_member(b)(LEAKS["node"], tie=tie["id"]))


async def test_after_accepting_the_inviter_sees_the_name(
    as_member: AsMember, register: Register, connect_code: Code
) -> None:
    a, b = await register("Aoife"), await register(SECRET_NAME)
    tie = _payload(await _invite(as_member(a), a, connectCode=await connect_code(b)))["tie"]
    await as_member(b)(RESPOND, t=tie["id"], a=True)
    body = await as_member(a)(LEAKS["circle"], id=a)
    assert body["data"]["member"]["circle"] == [  # type: ignore[index]
        {"supporterNameWithheld": False, "supporter": {"displayName": SECRET_NAME}}
    ]
    # Ended after acceptance: still named (it was a real tie).
    await as_member(a)(
        "mutation($t: ID!) { endSupport(tieId: $t) { userErrors { code } } }", t=tie["id"]
    )
    assert SECRET_NAME in json.dumps(await as_member(a)(LEAKS["circle"], id=a))


async def test_no_page_a_member_can_reach_names_them(
    server: RunningServer,
    store: Store,
    as_member: AsMember,
    register: Register,
    connect_code: Code,
) -> None:
    a, b = await register("Aoife"), await register(SECRET_NAME)
    await _invite(as_member(a), a, connectCode=await connect_code(b))
    internal = from_global_id(a, "Member")
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as browser:
        signed_in = await browser.get(
            f"/signin/{await signin_secret(store, Role.MEMBER, member_id=internal)}"
        )
        assert signed_in.status_code == 303
        for path in ("/welcome", "/", f"/members/{internal}", "/members", "/worklist.csv"):
            response = await browser.get(path)
            assert SECRET_NAME not in response.text, path
    # The member page's own read, as a member would get it when members have pages.
    profile = await member_profile(
        Services.build(store), Principal(Role.MEMBER, internal), internal
    )
    assert profile is not None
    assert [t.supporter.name for t in profile.circle] == ["Invited member"]
