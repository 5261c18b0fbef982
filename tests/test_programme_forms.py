"""Coordinators' programme forms over real HTTP: add a session (members who lead it found by
name), add a weekly schedule, add a kind of session, cancel a session after being asked; what
cannot be read or is refused comes back next to its field with the values kept; nothing of it
for members who lead sessions, or for colleges."""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable
from datetime import date, time, timedelta

import httpx
import pytest

from graph_service.auth import Role
from graph_service.domain_programme import ProgrammeSession
from graph_service.services import Services
from graph_service.store import Store
from tests.programme_helpers import BOSS, new_member, new_session

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TODAY = date.today()
NEXT_MONDAY = TODAY + timedelta(days=7 - TODAY.weekday())
SignIn = Callable[..., Awaitable[httpx.AsyncClient]]
# A session as the form sends it, filled in right.
SESSION = {
    "kind": "WRAP class",
    "on": (TODAY + timedelta(days=3)).isoformat(),
    "start": "10:30",
    "minutes": "90",
    "venue": "Bootle Library",
    "staff": "",
    "find": "",
}


@pytest.fixture
async def services(store: Store) -> Services:
    """Services with the kinds of session on the list."""
    found = Services.build(store)
    await found.programme.seed()
    return found


async def _all(services: Services) -> list[ProgrammeSession]:
    found = await services.programme.sessions(
        BOSS, TODAY - timedelta(days=400), TODAY + timedelta(days=800), offset=0, limit=500
    )
    return found.items


async def _csrf(client: httpx.AsyncClient, path: str = "/programme/new") -> str:
    match = CSRF.search((await client.get(path)).text)
    assert match, f"no form on {path}"
    return match.group(1)


async def _post(
    client: httpx.AsyncClient, path: str, data: dict[str, str | list[str]]
) -> httpx.Response:
    """Post a form as its page would, with the session's token (redirects not followed)."""
    return await client.post(path, data={"csrf_token": await _csrf(client), **data})


def _error(page: httpx.Response, form: str, field: str) -> str:
    """The message shown next to one input (the input points at it), or ''."""
    found = re.search(rf'<p class="error" id="{form}-{field}-error">(.*?)</p>', page.text, re.S)
    if found is None:
        return ""
    assert f'aria-describedby="{form}-{field}-error"' in page.text, field
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).replace("Error: ", "").strip()


def _value(page: httpx.Response, form: str, field: str) -> str:
    found = re.search(rf'id="{form}-{field}" name="{field}" type="\w+" value="([^"]*)"', page.text)
    assert found, field
    return found.group(1)


async def test_a_coordinator_adds_a_session_with_a_member_who_leads_it(
    services: Services, sign_in: SignIn
) -> None:
    liam = await new_member(services, "Lead Liam")
    boss = await sign_in()
    programme = await boss.get("/programme")
    assert 'href="/programme/new">Add a session' in programme.text
    assert 'href="/programme/schedule">Add a weekly schedule' in programme.text
    form = await boss.get("/programme/new")
    assert form.status_code == 200 and '<option value="Peer group" >' in form.text
    assert '<option value="">Choose a kind</option>' in form.text
    # Finding saves nothing and keeps what was typed.
    found = await _post(boss, "/programme/new", {**SESSION, "find": "liam", "action": "find"})
    assert found.status_code == 200 and "Found for “liam”" in found.text
    assert f'name="facilitator" value="{liam}">' in found.text
    assert _value(found, "session", "venue") == "Bootle Library"
    # A name left in the finder is found, not dropped: pressing Enter there does not save.
    left = await _post(boss, "/programme/new", {**SESSION, "find": "liam", "action": "save"})
    assert left.status_code == 200 and "Lead Liam" in left.text
    assert await _all(services) == []
    saved = await _post(
        boss,
        "/programme/new",
        {**SESSION, "facilitator": [liam], "staff": "Sam Staff, Pat Person", "action": "save"},
    )
    assert saved.status_code == 303
    assert re.fullmatch(r"/programme/sessions/\w+\?done=added", saved.headers["location"])
    page = await boss.get(saved.headers["location"])
    assert "The session has been added to the programme." in page.text
    assert "10:30 for 90 minutes, Bootle Library. Led by Lead Liam, Sam Staff, Pat Person." in (
        page.text
    )
    [made] = await _all(services)
    assert (made.kind, made.on, made.start_time, made.minutes) == (
        "WRAP class",
        TODAY + timedelta(days=3),
        time(10, 30),
        90,
    )
    assert [p.id for p in made.facilitators] == [liam]
    assert made.staff == ("Sam Staff", "Pat Person")


async def test_what_cannot_be_read_is_said_next_to_its_field_and_the_values_stay(
    services: Services, sign_in: SignIn
) -> None:
    boss = await sign_in()
    unread = await _post(
        boss,
        "/programme/new",
        {**SESSION, "on": "5/3/2026", "start": "25:00", "minutes": "ninety"},
    )
    assert unread.status_code == 400 and "Something needs changing" in unread.text
    assert _error(unread, "session", "on").startswith("Give the date as year-month-day")
    assert _error(unread, "session", "start").startswith("Give the start time as hours")
    assert _error(unread, "session", "minutes").startswith("Give the length in minutes")
    assert _value(unread, "session", "on") == "5/3/2026"
    assert _value(unread, "session", "minutes") == "ninety"
    assert _value(unread, "session", "venue") == "Bootle Library"
    assert '<option value="WRAP class" selected>' in unread.text
    impossible = await _post(boss, "/programme/new", {**SESSION, "on": "2026-02-30"})
    assert _error(impossible, "session", "on").startswith("Give the date as year-month-day")
    blank = await _post(
        boss, "/programme/new", {**SESSION, "kind": "", "on": "", "start": "", "minutes": ""}
    )
    assert _error(blank, "session", "kind") == "Choose the kind of session."
    assert _error(blank, "session", "on") == "Give the date."
    assert _error(blank, "session", "start") == "Give the start time."
    assert _error(blank, "session", "minutes") == "Give the length in minutes."
    for far in ("0001-01-05", "9999-12-30"):
        afar = await _post(boss, "/programme/new", {**SESSION, "on": far})
        assert _error(afar, "session", "on") == "Give the date within ten years of today."
    # The programme's weeks are read the same way: calmly refused, never a failure.
    assert (await boss.get("/programme?from=0001-01-01")).status_code == 400
    refused = await _post(
        boss,
        "/programme/new",
        {**SESSION, "kind": "Knitting", "minutes": "5", "venue": " ", "staff": "Sam, Sam"},
    )
    assert refused.status_code == 400
    assert _error(refused, "session", "kind").startswith("Not on the list; choose from")
    assert _error(refused, "session", "minutes") == "Must be 15 to 480."
    assert _error(refused, "session", "venue").startswith("Must be 1 to 80 characters")
    assert _value(refused, "session", "minutes") == "5"
    assert _value(refused, "session", "staff") == "Sam, Sam"
    gone = await _post(boss, "/programme/new", {**SESSION, "facilitator": ["no-such-member"]})
    assert _error(gone, "session", "facilitators").startswith("A member ticked is paused")
    empty = await _post(boss, "/programme/new", {**SESSION, "action": "find"})
    assert empty.status_code == 400
    assert _error(empty, "session", "find") == "Type part of a member's name, then choose Find."
    assert await _all(services) == []


async def test_a_weekly_schedule_makes_its_sessions(services: Services, sign_in: SignIn) -> None:
    boss = await sign_in()
    form = await boss.get("/programme/schedule")
    assert form.status_code == 200 and 'name="weekdays" value="THURSDAY"' in form.text
    schedule: dict[str, str | list[str]] = {
        **SESSION,
        "from": NEXT_MONDAY.isoformat(),
        "to": (NEXT_MONDAY + timedelta(days=13)).isoformat(),
        "weekdays": ["MONDAY", "THURSDAY"],
        "action": "save",
    }
    del schedule["on"]
    made = await _post(boss, "/programme/schedule", schedule)
    assert made.status_code == 303
    sessions = await _all(services)
    schedule_id = sessions[0].schedule_id
    assert schedule_id and {s.schedule_id for s in sessions} == {schedule_id}
    assert made.headers["location"] == (
        f"/programme?from={NEXT_MONDAY.isoformat()}&scheduled={schedule_id}"
    )
    page = await boss.get(made.headers["location"])
    assert "The schedule has been added: it made 4 sessions." in page.text
    days = sorted(s.on for s in sessions)
    assert days == [NEXT_MONDAY + timedelta(days=n) for n in (0, 3, 7, 10)]
    # The count is the graph's: an address cannot make the page claim a schedule.
    for forged in ("0" * 32, "4", "../x", schedule_id.upper()):
        other = await boss.get(f"/programme?from={NEXT_MONDAY.isoformat()}&scheduled={forged}")
        assert other.status_code == 200 and "The schedule has been added" not in other.text

    none = await _post(boss, "/programme/schedule", {**schedule, "weekdays": []})
    assert none.status_code == 400
    assert _error(none, "schedule", "weekdays") == "Choose at least one day of the week."
    backwards = await _post(
        boss, "/programme/schedule", {**schedule, "to": (NEXT_MONDAY - timedelta(1)).isoformat()}
    )
    assert _error(backwards, "schedule", "to") == "The last day must not be before the first day."
    assert 'value="MONDAY" checked' in backwards.text and 'value="FRIDAY" >' in backwards.text
    unread = await _post(
        boss, "/programme/schedule", {**schedule, "from": "next week", "weekdays": ["FUNDAY"]}
    )
    assert _error(unread, "schedule", "from").startswith("Give the first day as year-month-day")
    assert _error(unread, "schedule", "weekdays") == "Choose days of the week from the list."
    assert _value(unread, "schedule", "from") == "next week"
    too_long = await _post(
        boss,
        "/programme/schedule",
        {**schedule, "to": (NEXT_MONDAY + timedelta(days=400)).isoformat()},
    )
    assert _error(too_long, "schedule", "to") == "A schedule spans at most 366 days."
    assert len(await _all(services)) == 4


async def test_a_coordinator_adds_a_kind_of_session(services: Services, sign_in: SignIn) -> None:
    boss = await sign_in()
    added = await _post(boss, "/programme/kinds", {"name": "Hearing Voices group"})
    assert added.status_code == 303
    assert added.headers["location"] == (
        "/programme/new?done=kind&kind=Hearing%20Voices%20group#session-kind"
    )
    page = await boss.get(added.headers["location"])
    assert "The kind of session has been added to the list" in page.text
    assert '<option value="Hearing Voices group" selected>' in page.text
    assert "Hearing Voices group" in await services.programme.kinds()
    # A kind on the list already (ignoring case) is chosen, not added twice.
    known = await _post(boss, "/programme/kinds", {"name": "wrap CLASS", "back": "schedule"})
    assert known.headers["location"].startswith("/programme/schedule?done=known&kind=WRAP%20class")
    assert (await services.programme.kinds()).count("WRAP class") == 1
    empty = await _post(boss, "/programme/kinds", {"name": "  ", "back": "schedule"})
    assert empty.status_code == 400 and "<h1>Add a weekly schedule</h1>" in empty.text
    assert _error(empty, "kind", "name").startswith("Must be 1 to 80 characters")


async def test_a_coordinator_cancels_a_session_after_being_asked(
    services: Services, sign_in: SignIn
) -> None:
    coming = await new_session(services, TODAY + timedelta(days=2))
    boss = await sign_in()
    page = await boss.get(f"/programme/sessions/{coming}")
    assert f'href="/programme/sessions/{coming}/cancel">Cancel this session' in page.text
    asked = await boss.get(f"/programme/sessions/{coming}/cancel")
    assert asked.status_code == 200 and "<h1>Cancel this session?</h1>" in asked.text
    assert "Yes, cancel it" in asked.text and "No, keep it" in asked.text
    done = await _post(boss, f"/programme/sessions/{coming}/cancel", {})
    assert done.status_code == 303
    after = await boss.get(done.headers["location"])
    assert "The session has been cancelled." in after.text
    assert "This session was cancelled, so it has no register." in after.text
    assert "Cancel this session" not in after.text
    assert "Cancelled." in (await boss.get("/programme")).text
    again = await boss.get(f"/programme/sessions/{coming}/cancel")
    assert again.status_code == 409 and "This session is cancelled already" in again.text

    came = await new_member(services, "Regular Rita")
    took_place = await new_session(services, TODAY - timedelta(days=1))
    await services.attendance.take(BOSS, took_place, [came])
    assert "Cancel this session" not in (await boss.get(f"/programme/sessions/{took_place}")).text
    refused = await _post(boss, f"/programme/sessions/{took_place}/cancel", {})
    assert refused.status_code == 409 and "it cannot be cancelled" in refused.text
    [kept] = [s for s in await _all(services) if s.id == took_place]
    assert not kept.cancelled

    for missing in (
        await boss.get("/programme/sessions/no-such-session/cancel"),
        await _post(boss, "/programme/sessions/no-such-session/cancel", {}),
    ):
        assert missing.status_code == 404 and "No such session" in missing.text


async def test_a_form_without_its_check_is_refused(services: Services, sign_in: SignIn) -> None:
    coming = await new_session(services, TODAY + timedelta(days=2))
    boss = await sign_in()
    for path, data in (
        ("/programme/new", SESSION),
        ("/programme/schedule", {**SESSION, "from": "2030-01-07", "to": "2030-01-20"}),
        ("/programme/kinds", {"name": "Gardening"}),
        (f"/programme/sessions/{coming}/cancel", {}),
    ):
        missing = await boss.post(path, data=data)
        wrong = await boss.post(path, data={**data, "csrf_token": "not-the-token"})
        for refused in (missing, wrong):
            assert refused.status_code == 403, path
            assert "That form could not be sent" in refused.text
    [kept] = await _all(services)
    assert kept.id == coming and not kept.cancelled
    assert "Gardening" not in await services.programme.kinds()


@pytest.mark.parametrize("role", [Role.MEMBER, Role.COLLEGE], ids=["member-who-leads", "college"])
async def test_the_forms_are_for_coordinators_only(
    services: Services, sign_in: SignIn, role: Role
) -> None:
    lead = await new_member(services, "Lead Liam")
    leads = await new_session(services, TODAY + timedelta(days=2), (lead,))
    if role is Role.MEMBER:
        client, home = await sign_in(Role.MEMBER, member_id=lead), "/me"
        page = await client.get(f"/programme/sessions/{leads}")
        assert page.status_code == 200 and "Cancel this session" not in page.text
        assert "Add a session" not in (await client.get("/programme")).text
    else:
        await services.colleges.seed()
        client, home = await sign_in(Role.COLLEGE, college_id="southport-college"), "/college"
    token = await _csrf(client, home)
    cancel = f"/programme/sessions/{leads}/cancel"
    for path in ("/programme/new", "/programme/schedule", cancel):
        response = await client.get(path)
        assert response.status_code == 403 and "This page is not for you" in response.text, path
    for path in ("/programme/new", "/programme/schedule", "/programme/kinds", cancel):
        data = {**SESSION, "name": "Gardening", "action": "save", "csrf_token": token}
        response = await client.post(path, data=data)
        assert response.status_code == 403 and "This page is not for you" in response.text, path
    [kept] = await _all(services)
    assert kept.id == leads and not kept.cancelled
    assert "Gardening" not in await services.programme.kinds()
