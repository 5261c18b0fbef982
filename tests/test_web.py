"""The web app over real HTTP: sign-in links, sessions, CSRF, roles, forms, exports, audit."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from graph_service.auth import Principal, Role
from graph_service.ids import from_global_id
from graph_service.services import Services
from graph_service.services.signin import digest
from graph_service.settings import Settings
from graph_service.store import Store
from graph_service.store import sessions as store_sessions
from tests.conftest import GraphQLClient, RunningServer, signin_secret, token_for

BOSS = Principal(Role.COORDINATOR, subject="coordinator:test")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

SignIn = Callable[..., Awaitable[httpx.AsyncClient]]


async def _csrf(client: httpx.AsyncClient, path: str = "/") -> str:
    match = CSRF.search((await client.get(path)).text)
    assert match, "no form on the page"
    return match.group(1)


async def test_link_opens_a_session_and_lands_on_the_dashboard(
    server: RunningServer, store: Store
) -> None:
    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.get(f"/signin/{await signin_secret(store)}")
        assert response.status_code == 303
        assert response.headers["location"] == "/"
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "max-age=43200" in cookie
        assert "secure" not in cookie  # development runs over plain http on loopback
        page = await client.get("/")
        assert page.status_code == 200
        assert "Isolation worklist" in page.text
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp


@pytest.mark.parametrize("case", ["used", "expired", "unknown", "malformed"])
async def test_unusable_links_get_a_plain_page(
    server: RunningServer, store: Store, case: str
) -> None:
    secret = await signin_secret(store)
    async with httpx.AsyncClient(base_url=server.url) as client:
        if case == "used":
            assert (await client.get(f"/signin/{secret}")).status_code == 303
            client.cookies.clear()
        elif case == "expired":
            secret = "e" * 43
            past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="milliseconds")
            await store_sessions.create_link(
                store,
                hash=digest(secret),
                role="coordinator",
                member_id=None,
                college_id=None,
                subject="coordinator:test",
                now=past,
                expires_at=past,
            )
        elif case == "unknown":
            secret = "u" * 43
        else:
            secret = "not-a-link%3Cscript%3E"
        response = await client.get(f"/signin/{secret}")
        assert response.status_code == 400
        assert "This sign-in link cannot be used" in response.text
        assert "Traceback" not in response.text and "set-cookie" not in response.headers
        assert (await client.get("/")).status_code == 401


async def test_only_a_hash_of_links_and_sessions_is_stored(
    server: RunningServer, store: Store
) -> None:
    secret = await signin_secret(store)
    async with httpx.AsyncClient(base_url=server.url) as client:
        await client.get(f"/signin/{secret}")
        cookie = client.cookies["session"]
    rows = await store.read(
        "MATCH (n) WHERE n:SigninLink OR n:WebSession RETURN properties(n) AS p"
    )
    stored = repr(rows)
    assert secret not in stored and cookie not in stored
    assert any(row["p"].get("csrf") for row in rows)  # the session is there, by its hash


async def test_a_session_cookie_never_authorises_graphql(sign_in: SignIn) -> None:
    client = await sign_in()
    response = await client.post("/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 401


async def test_a_bearer_token_never_authorises_pages(http: httpx.AsyncClient) -> None:
    headers = {"Authorization": f"Bearer {token_for(Role.COORDINATOR)}"}
    response = await http.get("/", headers=headers)
    assert response.status_code == 401
    assert "Please sign in" in response.text


async def test_a_member_session_is_refused_on_coordinator_pages(
    sign_in: SignIn, register: Callable[[str], Awaitable[str]]
) -> None:
    member = from_global_id(await register("Ash"), "Member")
    client = await sign_in(Role.MEMBER, member_id=member)
    for path in ("/", "/load", "/fragile", "/members", f"/members/{member}", "/worklist.csv"):
        response = await client.get(path)
        assert response.status_code == 403, path
        assert "Ash" not in response.text
    home = await client.get("/welcome")
    assert (home.status_code, home.headers["location"]) == (303, "/me")


@pytest.mark.parametrize(
    ("token", "origin"),
    [
        (None, None),
        ("wrong", None),
        ("right", "http://evil.example"),
        ("right", "cross-site"),
    ],
    ids=["no-token", "wrong-token", "other-origin", "cross-site-fetch"],
)
async def test_forms_refuse_cross_site_posts(
    sign_in: SignIn,
    register: Callable[[str], Awaitable[str]],
    as_coordinator: GraphQLClient,
    token: str | None,
    origin: str | None,
) -> None:
    member = from_global_id(await register("Bea"), "Member")
    client = await sign_in()
    data = {"kind": "person", "person_name": "Aunt Jo", "relation": "FAMILY"}
    if token is not None:
        data["csrf_token"] = await _csrf(client) if token == "right" else "x" * 43
    headers = {}
    if origin == "cross-site":
        headers["Sec-Fetch-Site"] = "cross-site"
    elif origin:
        headers["Origin"] = origin
    response = await client.post(f"/members/{member}/supporters", data=data, headers=headers)
    assert response.status_code == 403
    assert "That form could not be sent" in response.text
    page = await client.get(f"/members/{member}")
    assert "Aunt Jo" not in page.text


async def test_add_a_supporter_then_end_the_tie(
    sign_in: SignIn, register: Callable[[str], Awaitable[str]]
) -> None:
    member = from_global_id(await register("Cal"), "Member")
    client = await sign_in()
    csrf = await _csrf(client)
    response = await client.post(
        f"/members/{member}/supporters",
        data={"csrf_token": csrf, "kind": "person", "person_name": "Aunt Jo", "relation": "FAMILY"},
    )
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "The supporter has been added" in page.text
    assert page.text.count("Aunt Jo") >= 2  # the picture and the tie list
    tie = re.search(rf"/members/{member}/ties/(\w+)/end", page.text)
    assert tie
    ended = await client.post(tie.group(0), data={"csrf_token": csrf})
    assert ended.status_code == 303
    page = await client.get(ended.headers["location"])
    assert "Ended" in page.text and "has no supporters" not in page.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "person", "person_name": " ", "relation": "FAMILY"}, "Must be 1 to 80"),
        ({"kind": "person", "person_name": "Jo", "relation": "BOSS"}, "Choose what they are"),
        ({"kind": "member", "supporter_member_id": "SELF", "relation": "PEER"}, "cannot support"),
        ({"kind": "comet"}, "Choose who the supporter is"),
    ],
    ids=["blank-name", "bad-relation", "self", "bad-kind"],
)
async def test_form_errors_are_shown_next_to_the_field(
    sign_in: SignIn,
    register: Callable[[str], Awaitable[str]],
    data: dict[str, str],
    message: str,
) -> None:
    member = from_global_id(await register("Dee"), "Member")
    client = await sign_in()
    data = {**data, "csrf_token": await _csrf(client)}
    if data.get("supporter_member_id") == "SELF":
        data["supporter_member_id"] = member
    response = await client.post(f"/members/{member}/supporters", data=data)
    assert response.status_code == 400
    assert message in response.text
    assert 'class="error"' in response.text


async def test_circle_full_is_explained(
    sign_in: SignIn, register: Callable[[str], Awaitable[str]]
) -> None:
    member = from_global_id(await register("Eli"), "Member")
    client = await sign_in()
    csrf = await _csrf(client)
    for n in range(5):
        form = {"csrf_token": csrf, "kind": "person", "person_name": f"P{n}", "relation": "FRIEND"}
        assert (await client.post(f"/members/{member}/supporters", data=form)).status_code == 303
    form = {"csrf_token": csrf, "kind": "person", "person_name": "P6", "relation": "FRIEND"}
    response = await client.post(f"/members/{member}/supporters", data=form)
    assert response.status_code == 400
    assert "at most 5 supporters" in response.text
    assert "The circle is full" in response.text


async def test_record_help_and_set_status(
    sign_in: SignIn,
    register: Callable[[str], Awaitable[str]],
    add_supporter: Callable[..., Awaitable[dict[str, object]]],
) -> None:
    fay, gus = await register("Fay"), await register("Gus")
    await add_supporter(memberId=fay, supporterMemberId=gus, relation="PEER")
    member = from_global_id(fay, "Member")
    client = await sign_in()
    csrf = await _csrf(client)
    form = {
        "csrf_token": csrf,
        "direction": "gave",
        "other_member_id": from_global_id(gus, "Member"),
        "kind": "LISTENING",
        "on": "2026-01-05",
    }
    response = await client.post(f"/members/{member}/help", data=form)
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "has given help 1 time" in page.text
    future = {**form, "on": "2999-01-01"}
    refused = await client.post(f"/members/{member}/help", data=future)
    assert refused.status_code == 400 and "Must not be in the future" in refused.text
    paused = await client.post(
        f"/members/{member}/status", data={"csrf_token": csrf, "status": "PAUSED"}
    )
    assert paused.status_code == 303
    assert "Paused member since" in (await client.get(f"/members/{member}")).text


async def test_sign_out_ends_the_session(sign_in: SignIn) -> None:
    client = await sign_in()
    cookie = client.cookies["session"]
    response = await client.post("/signout", data={"csrf_token": await _csrf(client)})
    assert (response.status_code, response.headers["location"]) == (303, "/signed-out")
    client.cookies.set("session", cookie)  # a copy of the cookie is no use afterwards
    assert (await client.get("/")).status_code == 401


async def test_coordinator_ends_all_sessions_of_a_member(
    sign_in: SignIn, register: Callable[[str], Awaitable[str]]
) -> None:
    member = from_global_id(await register("Hal"), "Member")
    phone = await sign_in(Role.MEMBER, member_id=member)
    laptop = await sign_in(Role.MEMBER, member_id=member)
    boss = await sign_in()
    page = await boss.get(f"/members/{member}")
    assert "signed in on 2 devices" in page.text
    response = await boss.post(
        f"/members/{member}/sessions/end", data={"csrf_token": await _csrf(boss)}
    )
    assert response.status_code == 303
    for client in (phone, laptop):
        assert (await client.get("/welcome")).status_code == 401


async def test_member_link_from_the_web_with_qr_code(
    sign_in: SignIn, register: Callable[[str], Awaitable[str]], server: RunningServer
) -> None:
    member = from_global_id(await register("Ivy"), "Member")
    boss = await sign_in()
    response = await boss.post(
        f"/members/{member}/signin-link", data={"csrf_token": await _csrf(boss)}
    )
    assert response.status_code == 200
    url = re.search(r'value="http://[^"]+(/signin/[^"]+)"', response.text)
    assert url and '<svg role="img" aria-label="QR code' in response.text
    async with httpx.AsyncClient(base_url=server.url) as phone:
        opened = await phone.get(url.group(1))
        assert (opened.status_code, opened.headers["location"]) == (303, "/me")
        assert "<h1>My circle</h1>" in (await phone.get("/me")).text


async def test_college_link_from_the_web(sign_in: SignIn, store: Store) -> None:
    await Services.build(store).colleges.seed()
    boss = await sign_in()
    csrf = await _csrf(boss, "/links")
    refused = await boss.post("/links", data={"csrf_token": csrf, "college_id": "nowhere"})
    assert refused.status_code == 400 and "Choose one of the partner colleges" in refused.text
    made = await boss.post("/links", data={"csrf_token": csrf, "college_id": "southport-college"})
    assert made.status_code == 200 and "Sign-in link for Southport College" in made.text


async def test_sessions_survive_a_restart(
    serve: Callable[[Settings], RunningServer], settings: Settings, store: Store
) -> None:
    first = serve(settings)
    async with httpx.AsyncClient(base_url=first.url) as client:
        await client.get(f"/signin/{await signin_secret(store)}")
        cookie = client.cookies["session"]
    second = serve(settings)
    async with httpx.AsyncClient(base_url=second.url, cookies={"session": cookie}) as client:
        assert (await client.get("/")).status_code == 200


async def test_worklist_filters_sorts_pages_and_exports_csv(
    sign_in: SignIn, register: Callable[[str], Awaitable[str]]
) -> None:
    names = [f"Member {n:02}" for n in range(30)] + ['=HYPERLINK("http://x")']
    for name in names:
        await register(name)
    client = await sign_in()
    first = await client.get("/?sort=name")
    assert first.status_code == 200
    assert "31 members, page 1 of 2" in first.text
    second = (await client.get("/?sort=name&page=2")).text
    table = second[second.index("<table") : second.index("</table>")]
    assert "Member 29" in table and "Member 00" not in table
    only = await client.get("/?reason=GIVES_NOT_RECEIVES")
    assert "Nobody matches this view" in only.text
    bad = await client.get("/?reason=MADE_UP")
    assert bad.status_code == 400
    export = await client.get("/worklist.csv?sort=name")
    assert export.headers["content-type"].startswith("text/csv")
    lines = export.text.strip().splitlines()
    assert len(lines) == 32
    assert lines[0].startswith("member_id,display_name,status")
    assert "'=HYPERLINK" in export.text  # a spreadsheet shows it, never runs it


async def test_member_page_reads_are_audited(
    sign_in: SignIn, register: Callable[[str], Awaitable[str]], store: Store
) -> None:
    member = await register("Jem")
    client = await sign_in()
    assert (await client.get(f"/members/{from_global_id(member, 'Member')}")).status_code == 200
    log = await Services.build(store).audit.log(
        BOSS, offset=0, limit=100, target_id=member, actor=None
    )
    actions = {e.action for e in log.items if e.actor_id == "coordinator:test"}
    assert {"member.read", "circle.read", "help.read", "enrolments.read"} <= actions


async def test_load_fragile_and_find_pages(
    sign_in: SignIn, register: Callable[[str], Awaitable[str]]
) -> None:
    await register("Kit")
    client = await sign_in()
    assert "Supporter load" in (await client.get("/load?at_least=1")).text
    assert (await client.get("/load?at_least=0")).status_code == 400
    assert "Fragile circles" in (await client.get("/fragile")).text
    found = await client.get("/members?q=ki")
    assert "Kit" in found.text
    assert (await client.get("/members/nobody")).status_code == 404


async def test_erasure_ends_the_members_sessions(
    sign_in: SignIn, register: Callable[[str], Awaitable[str]], store: Store
) -> None:
    member = from_global_id(await register("Lou"), "Member")
    phone = await sign_in(Role.MEMBER, member_id=member)
    outcome = await Services.build(store).privacy.erase(BOSS, member)
    assert outcome.errors == []
    assert (await phone.get("/welcome")).status_code == 401


async def test_a_network_too_large_to_draw_is_not_drawn(
    sign_in: SignIn, register: Callable[[str], Awaitable[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("graph_service.services.analyses.MAP_MEMBERS", 2)
    for name in ("Max", "Mo", "Mia"):
        await register(name)
    client = await sign_in()
    page = await client.get("/")
    assert page.status_code == 200
    assert "The network has 3 members: too many to draw" in page.text
    assert "<svg" not in page.text


async def test_the_map_marks_members_whose_circle_lacks_support(
    sign_in: SignIn,
    register: Callable[[str], Awaitable[str]],
    add_supporter: Callable[..., Awaitable[dict[str, object]]],
) -> None:
    await register("Alone")
    held = await register("Held")
    for name in ("Aunt Jo", "Uncle Al"):
        await add_supporter(memberId=held, person={"displayName": name}, relation="FAMILY")
    client = await sign_in()
    page = (await client.get("/")).text
    picture = page[page.index("<svg") : page.index("</svg>")]
    assert 'aria-label="Alone, lacks support"' in picture
    assert 'aria-label="Held"' in picture  # flagged as quiet and alone in the worklist only
    assert "Held" in page[page.index("<table") : page.index("</table>")]
