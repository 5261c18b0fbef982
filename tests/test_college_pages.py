"""The colleges' pages over real HTTP: courses, linking and updating, and nothing about
non-consenting members or other colleges' courses."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest

from graph_service.auth import Role
from graph_service.ids import to_global_id
from graph_service.store import Store
from tests.college_fixtures import sign_in_fixture, world_fixture  # noqa: F401
from tests.colleges import (
    GRANT,
    GUITAR,
    PAST,
    RECENT,
    REVOKE,
    SOUTHPORT,
    TAI_CHI,
    TODAY,
    WRAP,
    SignIn,
    World,
    form_token,
    member_id,
    without_reference,
)
from tests.conftest import GraphQLClient


async def test_courses_count_only_consenting_members(sign_in: SignIn, world: World) -> None:
    client = await sign_in()
    page = await client.get("/college")
    assert page.status_code == 200
    assert "Southport College: your courses" in page.text
    wrap = re.search(r'href="/college/courses/sc-wrap-intro">[^<]+</a>(.*?)</li>', page.text, re.S)
    assert wrap and "1 member enrolled" in wrap.group(1)  # Bob; not Dee, who does not share
    assert "Tai chi" not in page.text  # Waterloo's
    course = await client.get(f"/college/courses/{WRAP}")
    assert course.status_code == 200
    assert "Bob Birch" in course.text and world.bob in course.text
    assert "Dee Dale" not in course.text and world.dee not in course.text
    assert to_global_id("Course", WRAP) in course.text  # the id for their spreadsheets


async def test_link_then_update_an_enrolment(sign_in: SignIn, world: World) -> None:
    client = await sign_in()
    csrf = await form_token(client)
    linked = await client.post(
        f"/college/courses/{GUITAR}/enrolments",
        data={"csrf_token": csrf, "member_id": f" {world.ann} ", "enrolled_on": PAST},
    )
    assert linked.status_code == 303
    page = await client.get(linked.headers["location"])
    assert "The member has been linked" in page.text and "Ann Ash" in page.text
    enrolment = re.search(rf"/college/courses/{GUITAR}/enrolments/(\w+)", page.text)
    assert enrolment
    update = enrolment.group(0)

    missing_date = await client.post(update, data={"csrf_token": csrf, "status": "COMPLETED"})
    assert missing_date.status_code == 400
    error = re.search(
        r'<p class="error" id="enrolment-\w+-completed_on-error">(.*?)</p>', missing_date.text
    )
    assert error and "needs the date it was completed" in error.group(1)

    done = await client.post(
        update, data={"csrf_token": csrf, "status": "COMPLETED", "completed_on": RECENT}
    )
    assert done.status_code == 303
    page = await client.get(done.headers["location"])
    assert "The enrolment has been saved" in page.text
    assert "<dt>Status</dt><dd>Completed</dd>" in page.text


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"member_id": ""}, "member_id", "Give the member&#39;s id"),
        ({"member_id": "Ann"}, "member_id", "This is not a member id"),
        ({"member_id": "ANN", "enrolled_on": "14/09/2026"}, "enrolled_on", "Give the date"),
        (
            {"member_id": "ANN", "enrolled_on": (TODAY + timedelta(days=400)).isoformat()},
            "enrolled_on",
            "within a year from today",
        ),
        ({"member_id": "BOB"}, "member_id", "already linked to this course"),
    ],
    ids=["empty", "not-an-id", "bad-date", "too-far-ahead", "already-linked"],
)
async def test_link_errors_are_shown_next_to_their_field(
    sign_in: SignIn, world: World, data: dict[str, str], field: str, words: str
) -> None:
    client = await sign_in()
    form = {"csrf_token": await form_token(client), "enrolled_on": PAST, **data}
    form["member_id"] = {"ANN": world.ann, "BOB": world.bob}.get(
        form["member_id"], form["member_id"]
    )
    response = await client.post(f"/college/courses/{WRAP}/enrolments", data=form)
    assert response.status_code == 400
    error = re.search(rf'<p class="error" id="link-{field}-error">(.*?)</p>', response.text)
    assert error and words in error.group(1)
    assert f'aria-describedby="link-{field}-error"' in response.text


async def test_a_member_who_does_not_share_looks_like_no_member(
    sign_in: SignIn, world: World
) -> None:
    client = await sign_in()
    csrf = await form_token(client)
    nobody = to_global_id("Member", "no-such-member")
    answers = {}
    for who, member in (("dee", world.dee), ("cas", world.cas), ("nobody", nobody)):
        response = await client.post(
            f"/college/courses/{WRAP}/enrolments",
            data={"csrf_token": csrf, "member_id": member, "enrolled_on": RECENT},
        )
        assert response.status_code == 400, who
        assert "No member with this id shares with your college" in response.text
        answers[who] = without_reference(response.text.replace(member, "THE-ID"))
    assert answers["dee"] == answers["nobody"] == answers["cas"]
    page = await client.get(f"/college/courses/{WRAP}")
    assert "Dee Dale" not in page.text and "Cas Cole" not in page.text


SECRETS = ("Cas Cole", "Dee Dale", "Tai chi")


def _leaks(world: World, page: str) -> list[str]:
    """What a page shows of members who do not share with Southport, or of Waterloo."""
    return [s for s in (*SECRETS, world.cas, world.dee, world.cas_tai_chi) if s in page]


@pytest.mark.parametrize("course", [TAI_CHI, "no-such-course"], ids=["other-college", "none"])
async def test_another_colleges_course_is_like_no_course(
    sign_in: SignIn, world: World, course: str
) -> None:
    client = await sign_in()
    csrf = await form_token(client)
    expected = without_reference((await client.get("/college/courses/no-such-course")).text)
    form = {"csrf_token": csrf, "member_id": world.ann, "enrolled_on": RECENT}
    for method, path in [
        ("GET", f"/college/courses/{course}"),
        ("POST", f"/college/courses/{course}/enrolments"),
        ("POST", f"/college/courses/{course}/enrolments/{world.cas_tai_chi}"),
    ]:
        response = await client.request(method, path, data=form if method == "POST" else None)
        assert response.status_code == 404, path
        assert "No such course" in response.text
        assert without_reference(response.text) == expected, path
        assert _leaks(world, response.text) == [], path


async def _enrolment(as_coordinator: GraphQLClient, enrolment: str) -> object:
    body = await as_coordinator(
        "query($id: ID!) { node(id: $id) { ... on Enrolment { status completedOn } } }",
        id=to_global_id("Enrolment", enrolment),
    )
    return body["data"]["node"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("course", "enrolment"),
    [
        (WRAP, "cas_tai_chi"),  # another college's enrolment, under one's own course
        (WRAP, "dee_wrap"),  # a non-sharing member's enrolment on one's own course
        (GUITAR, "bob_wrap"),  # an enrolment of another of one's courses
        (WRAP, "no-such-enrolment"),
    ],
    ids=["other-college", "not-sharing", "other-course", "none"],
)
async def test_enrolments_a_college_may_not_see_are_like_none(
    sign_in: SignIn, world: World, as_coordinator: GraphQLClient, course: str, enrolment: str
) -> None:
    client = await sign_in()
    csrf = await form_token(client)
    enrolment_id = getattr(world, enrolment, enrolment)
    before = await _enrolment(as_coordinator, enrolment_id)
    form = {"csrf_token": csrf, "status": "COMPLETED", "completed_on": RECENT}
    expected = await client.post(f"/college/courses/{WRAP}/enrolments/no-such-enrolment", data=form)
    response = await client.post(f"/college/courses/{course}/enrolments/{enrolment_id}", data=form)
    assert response.status_code == 404
    assert "No such enrolment" in response.text
    assert without_reference(response.text) == without_reference(expected.text)
    assert _leaks(world, response.text) == []
    assert await _enrolment(as_coordinator, enrolment_id) == before  # nothing changed


async def test_sharing_granted_and_revoked_is_followed_at_once(
    sign_in: SignIn, world: World, as_member: Callable[[str], GraphQLClient]
) -> None:
    client = await sign_in()
    csrf = await form_token(client)
    bob = as_member(world.bob)
    assert "Bob Birch" in (await client.get(f"/college/courses/{WRAP}")).text

    await bob(REVOKE, c=SOUTHPORT)
    page = await client.get(f"/college/courses/{WRAP}")
    assert "Bob Birch" not in page.text and world.bob not in page.text
    assert "0 members enrolled" in (await client.get("/college")).text
    refused = await client.post(
        f"/college/courses/{WRAP}/enrolments/{world.bob_wrap}",
        data={"csrf_token": csrf, "status": "WITHDRAWN"},
    )
    assert refused.status_code == 404 and "Bob" not in refused.text
    again = await client.post(
        f"/college/courses/{GUITAR}/enrolments",
        data={"csrf_token": csrf, "member_id": world.bob, "enrolled_on": RECENT},
    )
    assert again.status_code == 400 and "No member with this id shares" in again.text

    await bob(GRANT, c=SOUTHPORT)
    assert "Bob Birch" in (await client.get(f"/college/courses/{WRAP}")).text
    assert "1 member enrolled" in (await client.get("/college")).text


COLLEGE_ROUTES = [
    ("GET", "/college"),
    ("GET", f"/college/courses/{WRAP}"),
    ("POST", f"/college/courses/{WRAP}/enrolments"),
    ("POST", f"/college/courses/{WRAP}/enrolments/ENROLMENT"),
    ("GET", "/college/upload"),
    ("POST", "/college/upload"),
    ("POST", "/college/upload/confirm"),
]


@pytest.mark.parametrize("role", [Role.MEMBER, Role.COORDINATOR], ids=["member", "coordinator"])
async def test_other_roles_cannot_use_college_pages(
    sign_in: SignIn, world: World, store: Store, role: Role
) -> None:
    target = {"member_id": member_id(world.bob)} if role is Role.MEMBER else {}
    client = await sign_in(role, **target)
    # The session's own form token, so that only the role can be why a form is refused.
    rows = await store.read(
        "MATCH (s:WebSession {role: $role}) RETURN s.csrf AS csrf", role=role.value
    )
    csrf = rows[0]["csrf"]
    for method, path in COLLEGE_ROUTES:
        path = path.replace("ENROLMENT", world.bob_wrap)
        form = {
            "csrf_token": csrf,
            "member_id": world.ann,
            "enrolled_on": RECENT,
            "status": "WITHDRAWN",
        }
        response = await client.request(method, path, data=form if method == "POST" else None)
        assert response.status_code == 403, (role, path)
        assert "This page is not for you" in response.text
        assert "Bob Birch" not in response.text and "Introduction to WRAP" not in response.text


async def test_a_college_cannot_use_coordinators_pages(sign_in: SignIn, world: World) -> None:
    client = await sign_in()
    csrf = await form_token(client)
    bob = member_id(world.bob)
    for method, path in [
        ("GET", "/"),
        ("GET", "/members"),
        ("GET", f"/members/{bob}"),
        ("GET", "/load"),
        ("GET", "/fragile"),
        ("GET", "/links"),
        ("GET", "/worklist.csv"),
        ("POST", f"/members/{bob}/status"),
        ("POST", f"/members/{bob}/signin-link"),
    ]:
        form = {"csrf_token": csrf, "status": "LEFT"}
        response = await client.request(method, path, data=form if method == "POST" else None)
        assert response.status_code == 403, path
        assert "Bob Birch" not in response.text
