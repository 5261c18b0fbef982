"""A member's own pages over real HTTP: circle, invitations, help, tools, sharing, access log,
data, and nothing of another member reachable."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from datetime import date

import httpx
import pytest

from graph_service.auth import Role
from graph_service.ids import from_global_id, to_global_id
from graph_service.services import Services
from graph_service.store import Store
from tests.conftest import GraphQLClient, token_for

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CODE = re.compile(r'<span aria-hidden="true">([A-Z0-9]{4}-[A-Z0-9]{4})</span>')
TODAY = date.today().isoformat()
SOUTHPORT = to_global_id("College", "southport-college")
WRAP = to_global_id("Course", "sc-wrap-intro")

SignIn = Callable[..., Awaitable[httpx.AsyncClient]]
Register = Callable[[str], Awaitable[str]]


@pytest.fixture(name="sign_in")
def member_sign_in(sign_in: SignIn) -> SignIn:
    """The shared sign-in, for a member named by global id unless told otherwise."""

    async def make(
        member: str | None = None, role: Role = Role.MEMBER, **target: str
    ) -> httpx.AsyncClient:
        if member is not None:
            target["member_id"] = from_global_id(member, "Member")
        return await sign_in(role, **target)

    return make


async def _csrf(client: httpx.AsyncClient, path: str = "/me") -> str:
    match = CSRF.search((await client.get(path)).text)
    assert match, "no form on the page"
    return match.group(1)


async def _post(client: httpx.AsyncClient, path: str, **form: str) -> httpx.Response:
    """Post a form as the page would (with the session's token), following a redirect."""
    response = await client.post(path, data={"csrf_token": await _csrf(client), **form})
    if response.status_code == 303:
        return await client.get(response.headers["location"])
    return response


async def _code(client: httpx.AsyncClient) -> str:
    page = await _post(client, "/me/connect-code")
    assert page.status_code == 200
    found = CODE.search(page.text)
    assert found and '<svg role="img" aria-label="QR code of your connect code"' in page.text
    return found.group(1)


async def _tied(
    sign_in: SignIn, inviter: str, invited: str
) -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
    """``invited`` joins ``inviter``'s circle: a connect code, an invitation, a yes."""
    a, b = await sign_in(inviter), await sign_in(invited)
    code = await _code(b)
    page = await _post(a, "/me/supporters", kind="code", connect_code=code, relation="PEER")
    assert "Your invitation has been sent" in page.text
    tie = re.search(r'action="/me/invitations/(\w+)"', (await b.get("/me/invitations")).text)
    assert tie
    assert "You said yes" in (await _post(b, f"/me/invitations/{tie.group(1)}", answer="yes")).text
    return a, b


async def test_a_member_lands_on_their_own_circle(sign_in: SignIn, register: Register) -> None:
    member = await register("Ava")
    client = await sign_in(member)
    assert (await client.get("/welcome")).headers["location"] == "/me"
    page = await client.get("/me")
    assert page.status_code == 200 and "Server-Timing" in page.headers
    assert "<h1>My circle</h1>" in page.text
    assert "Ava&#39;s circle of support" in page.text and "no supporters yet" in page.text
    assert 'aria-current="page">My circle' in page.text
    assert "/members/" not in page.text  # coordinators' pages are not linked


async def test_add_a_person_change_the_relation_and_end_the_tie(
    sign_in: SignIn, register: Register
) -> None:
    client = await sign_in(await register("Bo"))
    page = await _post(
        client, "/me/supporters", kind="person", person_name="Aunt Jo", relation="FAMILY"
    )
    assert "The supporter has been added to your circle" in page.text
    assert page.text.count("Aunt Jo") >= 2  # the picture and the list
    tie = re.search(r'action="/me/ties/(\w+)/relation"', page.text)
    assert tie
    changed = await _post(client, f"/me/ties/{tie.group(1)}/relation", relation="FRIEND")
    assert "The change has been saved" in changed.text
    assert re.search(r"<p>Friend\.\s+In your circle since", changed.text)
    ask = await client.get(f"/me/ties/{tie.group(1)}/end")
    assert ask.status_code == 200 and "End the tie with Aunt Jo?" in ask.text
    ended = await _post(client, f"/me/ties/{tie.group(1)}/end")
    assert "The tie has ended" in ended.text and "Past ties (1)" in ended.text
    again = await client.get(f"/me/ties/{tie.group(1)}/end")
    assert again.status_code == 409


async def test_add_the_network(sign_in: SignIn, register: Register, store: Store) -> None:
    await Services.build(store).organisations.seed()
    client = await sign_in(await register("Cas"))
    page = await client.get("/me")
    first = re.search(
        r'<select id="organisation_id"[^>]*>\s*<option value="([^"]+)">([^<]+)<', page.text
    )
    assert first and first.group(2) == "Sefton Recovery Peer Network"
    added = await _post(
        client, "/me/supporters", kind="organisation", organisation_id=first.group(1)
    )
    assert "has been added" in added.text and "(Organisation)" in added.text


async def test_invite_by_connect_code_withholds_the_name_until_yes(
    sign_in: SignIn, register: Register
) -> None:
    dee, eli = await register("Dee"), await register("Eli Withheld")
    inviter, invited = await sign_in(dee), await sign_in(eli)
    code = await _code(invited)
    page = await _post(inviter, "/me/supporters", kind="code", connect_code=code, relation="FRIEND")
    assert "Your invitation has been sent" in page.text
    assert "Invited member" in page.text and "Eli Withheld" not in page.text
    assert "Take back this invitation" in page.text
    asked = await invited.get("/me/invitations")
    assert "Dee asks you to be in their circle" in asked.text
    assert "If you say yes, Dee will see your name in their circle" in asked.text
    assert "1 invitation is waiting" in (await invited.get("/me")).text
    tie = re.search(r'action="/me/invitations/(\w+)"', asked.text)
    assert tie
    said = await _post(invited, f"/me/invitations/{tie.group(1)}", answer="yes")
    assert "You said yes" in said.text and "No invitations are waiting" in said.text
    now = (await inviter.get("/me")).text
    assert "Eli Withheld" in now and "Invited member" not in now
    assert "You are in the circle of: Dee." in (await invited.get("/me")).text
    used = await _post(inviter, "/me/supporters", kind="code", connect_code=code, relation="PEER")
    assert used.status_code == 400 and "That did not work" in used.text  # used once already


async def test_invite_back_a_member_whose_circle_you_are_in(
    sign_in: SignIn, register: Register
) -> None:
    fay, gus = await register("Fay"), await register("Gus")
    _, gus_client = await _tied(sign_in, fay, gus)
    page = await gus_client.get("/me")
    choice = re.search(
        r'<select id="supporter_member_id"[^>]*>\s*<option value="(\w+)">Fay<', page.text
    )
    assert choice and choice.group(1) == from_global_id(fay, "Member")
    invited = await _post(
        gus_client,
        "/me/supporters",
        kind="member",
        supporter_member_id=choice.group(1),
        relation="PEER",
    )
    assert "Your invitation has been sent" in invited.text
    assert 'id="supporter_member_id"' not in invited.text  # nobody left to choose


async def test_a_full_circle_is_said_in_words(sign_in: SignIn, register: Register) -> None:
    client = await sign_in(await register("Hal"))
    for n in range(4):
        await _post(
            client, "/me/supporters", kind="person", person_name=f"Pal {n}", relation="FRIEND"
        )
    page = await client.get("/me")
    assert "You have room for 1 more" in page.text and 'id="add-person"' in page.text
    full = await _post(
        client, "/me/supporters", kind="person", person_name="Pal 4", relation="FRIEND"
    )
    assert "Your circle is full. It can hold 5 supporters" in full.text
    assert 'id="add-person"' not in full.text and 'id="add-code"' not in full.text
    refused = await _post(
        client, "/me/supporters", kind="person", person_name="Pal 5", relation="FRIEND"
    )
    assert refused.status_code == 400 and "Your circle is full" in refused.text


@pytest.mark.parametrize(
    ("form", "message", "field"),
    [
        (
            {"kind": "person", "person_name": " ", "relation": "FAMILY"},
            "Must be 1 to 80",
            "person_name",
        ),
        (
            {"kind": "person", "person_name": "Jo", "relation": "BOSS"},
            "Choose what they are to you",
            "relation",
        ),
        ({"kind": "code", "connect_code": "", "relation": "PEER"}, "Type the code", "connect_code"),
        (
            {"kind": "code", "connect_code": "AAAA-BBBB", "relation": "PEER"},
            "That did not work",
            "connect_code",
        ),
        (
            {"kind": "code", "connect_code": "OWN", "relation": "PEER"},
            "This is your own connect code",
            "connect_code",
        ),
        (
            {"kind": "member", "supporter_member_id": "nobody", "relation": "PEER"},
            "That did not work",
            None,
        ),
        ({"kind": "comet"}, "Choose who to add", None),
    ],
    ids=[
        "blank-name",
        "bad-relation",
        "blank-code",
        "wrong-code",
        "own-code",
        "stranger",
        "bad-kind",
    ],
)
async def test_form_errors_are_shown_next_to_the_field(
    sign_in: SignIn, register: Register, form: dict[str, str], message: str, field: str | None
) -> None:
    client = await sign_in(await register("Ivy"))
    if form.get("connect_code") == "OWN":
        form = {**form, "connect_code": await _code(client)}
    response = await _post(client, "/me/supporters", **form)
    assert response.status_code == 400
    assert message in response.text and 'class="error"' in response.text
    if field:  # next to its input, which is marked and points at it
        assert f'-{field}-error"' in response.text and 'aria-invalid="true"' in response.text


async def test_help_recorded_confirmed_and_rejected_changes_both_balances(
    sign_in: SignIn, register: Register
) -> None:
    jo, kit = await register("Jo"), await register("Kit")
    jo_client, kit_client = await _tied(sign_in, jo, kit)
    assert "No help has been recorded yet" in (await jo_client.get("/me/help")).text
    kit_id = from_global_id(kit, "Member")
    recorded = await _post(
        jo_client, "/me/help", direction="gave", other_member_id=kit_id, kind="LISTENING", on=TODAY
    )
    assert "The help has been recorded" in recorded.text
    assert (
        "You have helped once." in recorded.text and "Waiting for Kit to check it" in recorded.text
    )
    check = await kit_client.get("/me/help")
    assert "You have been helped once." in check.text
    assert "Jo helped you (listening)" in check.text and "Jo recorded this" in check.text
    help_id = re.search(r'action="/me/help/(\w+)"', check.text)
    assert help_id
    confirmed = await _post(kit_client, f"/me/help/{help_id.group(1)}", answer="yes")
    assert "Thank you for saying it is right" in confirmed.text
    assert "1 of these has been confirmed" in confirmed.text
    assert "1 of these has been confirmed" in (await jo_client.get("/me/help")).text
    # Kit records help back; Jo says it did not happen: the record goes from both balances.
    back = await _post(
        kit_client,
        "/me/help",
        direction="gave",
        other_member_id=from_global_id(jo, "Member"),
        kind="PRACTICAL",
        on=TODAY,
    )
    assert "You have helped once and been helped once." in back.text
    jo_page = await jo_client.get("/me/help")
    assert "You have helped once and been helped once." in jo_page.text
    other = re.search(r'action="/me/help/(\w+)"', jo_page.text)
    assert other
    rejected = await _post(jo_client, f"/me/help/{other.group(1)}", answer="no")
    assert "That record has been taken away" in rejected.text
    assert "You have helped once." in rejected.text
    assert "You have been helped once." in (await kit_client.get("/me/help")).text
    twice = await _post(jo_client, f"/me/help/{other.group(1)}", answer="yes")
    assert twice.status_code == 400 and "No such help record" in twice.text


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"direction": "gave", "kind": "LISTENING", "on": "2999-01-01"},
            "Must not be in the future",
        ),
        ({"direction": "gave", "kind": "LISTENING", "on": "soon"}, "Give the date"),
        ({"direction": "sideways", "kind": "LISTENING", "on": TODAY}, "Choose who helped whom"),
        ({"direction": "gave", "kind": "SINGING", "on": TODAY}, "Choose the kind of help"),
        (
            {"direction": "gave", "kind": "LISTENING", "on": TODAY, "other": "stranger"},
            "No member in your circle",
        ),
    ],
    ids=["future", "not-a-date", "direction", "kind", "stranger"],
)
async def test_help_form_errors(
    sign_in: SignIn, register: Register, form: dict[str, str], message: str
) -> None:
    lou, max_ = await register("Lou"), await register("Max")
    stranger = from_global_id(await register("Ned"), "Member")
    client, _ = await _tied(sign_in, lou, max_)
    other = stranger if form.pop("other", None) else from_global_id(max_, "Member")
    response = await _post(client, "/me/help", other_member_id=other, **form)
    assert response.status_code == 400 and message in response.text
    assert 'class="error"' in response.text and "Ned" not in response.text


async def test_choose_one_tool_then_several(
    sign_in: SignIn, register: Register, store: Store
) -> None:
    await Services.build(store).wellness.seed()
    client = await sign_in(await register("Oli"))
    page = await client.get("/me/tools")
    assert "You have not chosen a tool yet" in page.text and "Choose one tool" in page.text
    one = await _post(client, "/me/tools", how="one", tools="Walking")
    assert (
        "Your wellness tools have been saved" in one.text and "You are using: Walking." in one.text
    )
    none = await _post(client, "/me/tools", how="one")
    assert none.status_code == 400 and "Choose one tool." in none.text
    several = await client.post(
        "/me/tools",
        data={"csrf_token": await _csrf(client), "how": "several", "tools": ["Walking", "Music"]},
    )
    page = await client.get(several.headers["location"])
    assert "You are using: Music, Walking." in page.text and "<details open>" in page.text
    unknown = await _post(client, "/me/tools", how="one", tools="Skydiving")
    assert unknown.status_code == 400 and "Not on the list: Skydiving" in unknown.text


LINK = """
mutation($member: ID!, $course: ID!, $on: Date!) {
  linkEnrolment(input: {memberId: $member, courseId: $course, enrolledOn: $on}) {
    enrolment { id } userErrors { code }
  }
}
"""
SEEN = (
    "{ college { courses { title enrolments(first: 50) { edges { node { member { id } } } } } } }"
)


async def _seen_by(college: GraphQLClient) -> set[str]:
    body = await college(SEEN)
    courses = body["data"]["college"]["courses"]  # type: ignore[index]
    return {e["node"]["member"]["id"] for c in courses for e in c["enrolments"]["edges"]}


async def test_sharing_with_a_college_is_followed_at_once(
    sign_in: SignIn, register: Register, store: Store, http: httpx.AsyncClient
) -> None:
    await Services.build(store).colleges.seed()
    pam = await register("Pam")
    college = GraphQLClient(http, token_for(Role.COLLEGE, college_id=SOUTHPORT))
    client = await sign_in(pam)
    page = await client.get("/me/sharing")
    assert "You do not share with Southport College" in page.text
    assert f'give them this: <code class="id">{pam}</code>' in page.text  # the id a college links
    assert (
        "If you share, Southport College can see your name and your courses with them" in page.text
    )
    refused = await college(LINK, member=pam, course=WRAP, on=TODAY)
    assert refused["data"]["linkEnrolment"]["userErrors"] == [{"code": "NO_CONSENT"}]  # type: ignore[index]
    shared = await _post(client, "/me/sharing/southport-college", answer="share")
    assert "You are now sharing with the college" in shared.text
    assert "You share with Southport College" in shared.text
    linked = await college(LINK, member=pam, course=WRAP, on=TODAY)
    assert linked["data"]["linkEnrolment"]["userErrors"] == []  # type: ignore[index]
    assert pam in await _seen_by(college)
    page = await client.get("/me/sharing")
    assert "Your courses there: Introduction to WRAP (enrolled)" in page.text
    stopped = await _post(client, "/me/sharing/southport-college", answer="stop")
    assert "You have stopped sharing" in stopped.text
    assert pam not in await _seen_by(college)
    await _post(client, "/me/sharing/southport-college", answer="share")
    assert pam in await _seen_by(college)
    nowhere = await _post(client, "/me/sharing/nowhere", answer="share")
    assert nowhere.status_code == 400 and "No such college" in nowhere.text


async def test_who_has_looked_is_said_in_words(sign_in: SignIn, register: Register) -> None:
    quinn = await register("Quinn")
    client = await sign_in(quinn)
    await _code(client)
    coordinator = await sign_in(None, Role.COORDINATOR)
    assert (await coordinator.get(f"/members/{from_global_id(quinn, 'Member')}")).status_code == 200
    page = await client.get("/me/looked")
    day = date.today()
    when = f'on <time datetime="{day.isoformat()}'
    looked = "A coordinator looked at your details, your circle, your help records, your courses"
    assert f"{looked} and who could support you {when}" in page.text
    assert f"You made a connect code {when}" in page.text
    assert "A coordinator made you a member" in page.text
    assert f"{day.day} {day:%B %Y}</time>" in page.text
    assert (await client.get("/me/looked?page=0")).status_code == 400


async def test_download_my_data(sign_in: SignIn, register: Register) -> None:
    rae = await register("Rae")
    client = await sign_in(rae)
    page = await client.get("/me/data")
    assert "Download my data" in page.text
    refused = await client.post("/me/data/export")
    assert refused.status_code == 403 and "Rae" not in refused.text
    download = await client.post(
        "/me/data/export", data={"csrf_token": await _csrf(client, "/me/data")}
    )
    assert download.status_code == 200
    assert download.headers["content-disposition"] == f'attachment; filename="my-data-{TODAY}.json"'
    assert download.headers["cache-control"] == "no-store"
    assert download.headers["content-type"].startswith("application/json")
    document = json.loads(download.text)
    assert document["member"]["id"] == rae and document["member"]["displayName"] == "Rae"
    assert "You downloaded a copy of your data" in (await client.get("/me/looked")).text


MEMBER_PAGES = [
    "/me",
    "/me/invitations",
    "/me/help",
    "/me/tools",
    "/me/sharing",
    "/me/looked",
    "/me/data",
]


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.COLLEGE], ids=["coordinator", "college"])
async def test_member_pages_are_for_members_only(sign_in: SignIn, store: Store, role: Role) -> None:
    await Services.build(store).colleges.seed()
    target = {"college_id": "southport-college"} if role is Role.COLLEGE else {}
    client = await sign_in(None, role, **target)
    for path in MEMBER_PAGES:
        response = await client.get(path)
        assert response.status_code == 403, path
        assert "This page is not for you" in response.text


async def test_coordinator_pages_are_refused_to_a_member(
    sign_in: SignIn, register: Register
) -> None:
    sal = await register("Sal")
    other = from_global_id(await register("Tom Private"), "Member")
    client = await sign_in(sal)
    csrf = await _csrf(client)
    for path in (
        "/",
        "/load",
        "/fragile",
        "/members",
        f"/members/{other}",
        "/worklist.csv",
        "/links",
    ):
        response = await client.get(path)
        assert response.status_code == 403 and "Tom Private" not in response.text, path
    for path in (
        f"/members/{other}/supporters",
        f"/members/{other}/signin-link",
        f"/members/{other}/status",
    ):
        response = await client.post(
            path,
            data={
                "csrf_token": csrf,
                "kind": "person",
                "person_name": "X",
                "relation": "FRIEND",
                "status": "LEFT",
            },
        )
        assert response.status_code == 403 and "Tom Private" not in response.text, path


async def test_a_form_without_its_token_is_refused(sign_in: SignIn, register: Register) -> None:
    client = await sign_in(await register("Uma"))
    response = await client.post(
        "/me/supporters", data={"kind": "person", "person_name": "Aunt Zed", "relation": "FAMILY"}
    )
    assert response.status_code == 403 and "That form could not be sent" in response.text
    assert "Aunt Zed" not in (await client.get("/me")).text


async def test_a_member_reaches_nothing_of_another_member(
    sign_in: SignIn, register: Register, store: Store
) -> None:
    """Every route that takes an id, with member B's ids, from member A's session."""
    amy, bea, cy = await register("Amy"), await register("Bea"), await register("Cy Hidden")
    services = Services.build(store)
    # Bea's circle: Cy, a person, and Amy (so Amy knows Bea, and one of Bea's ties has Amy in it).
    bea_client, cy_client = await _tied(sign_in, bea, cy)
    await _post(
        bea_client, "/me/supporters", kind="person", person_name="Aunt Private", relation="FAMILY"
    )
    _, amy_client = await _tied(sign_in, bea, amy)
    bea_id = from_global_id(bea, "Member")
    # Cy invites Bea (an invitation of Bea's) and records help for Bea (waiting for Bea).
    await _post(
        cy_client, "/me/supporters", kind="member", supporter_member_id=bea_id, relation="FRIEND"
    )
    await _post(
        cy_client, "/me/help", direction="gave", other_member_id=bea_id, kind="LISTENING", on=TODAY
    )
    bea_ties = (await services.circles.circles([bea_id], False))[bea_id]
    invitation = (await services.circles.supporting([bea_id], True))[bea_id][0].id
    help_id = (await services.help.pending_for([bea_id]))[bea_id][0].id
    amy_in_bea = next(t.id for t in bea_ties if t.supporter.id == from_global_id(amy, "Member"))
    assert len(bea_ties) == 3
    secrets = ("Cy Hidden", "Aunt Private")
    csrf = await _csrf(amy_client)
    attempts: list[tuple[str, str, dict[str, str]]] = []
    for tie in [t.id for t in bea_ties]:
        attempts += [
            ("GET", f"/me/ties/{tie}/end", {}),
            ("POST", f"/me/ties/{tie}/end", {}),
            ("POST", f"/me/ties/{tie}/relation", {"relation": "FRIEND"}),
        ]
    for answer in ("yes", "no"):
        attempts += [
            ("POST", f"/me/invitations/{invitation}", {"answer": answer}),
            ("POST", f"/me/help/{help_id}", {"answer": answer}),
        ]
    for method, path, form in attempts:
        if method == "GET":
            response = await amy_client.get(path)
        else:
            response = await amy_client.post(path, data={"csrf_token": csrf, **form})
        assert response.status_code in (403, 404), (method, path, response.status_code)
        assert not any(s in response.text for s in (*secrets, "Bea")), (method, path)
    # The tie Amy is in is Bea's to end, not Amy's.
    assert (await amy_client.get(f"/me/ties/{amy_in_bea}/end")).status_code == 404
    for path in MEMBER_PAGES:
        text = (await amy_client.get(path)).text
        assert not any(s in text for s in secrets), path
    # Nothing changed: Bea's ties, invitation and help are as they were.
    after = (await services.circles.circles([bea_id], False))[bea_id]
    assert sorted((t.id, t.relation, t.status) for t in after) == sorted(
        (t.id, t.relation, t.status) for t in bea_ties
    )
    assert [t.id for t in (await services.circles.supporting([bea_id], True))[bea_id]] == [
        invitation
    ]
    assert [h.id for h in (await services.help.pending_for([bea_id]))[bea_id]] == [help_id]
