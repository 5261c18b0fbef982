"""Partner colleges: courses, consent from both sides, enrolments, and nothing leaking."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from graph_service.auth import Role
from graph_service.ids import to_global_id
from graph_service.services import Services
from graph_service.store import Store
from tests.conftest import GraphQLClient, token_for

SOUTHPORT = to_global_id("College", "southport-college")
WATERLOO = to_global_id("College", "waterloo-college")
WRAP = to_global_id("Course", "sc-wrap-intro")
GUITAR = to_global_id("Course", "sc-guitar")
TAI_CHI = to_global_id("Course", "wc-tai-chi")
TODAY = date.today()

LINK = """
mutation($member: ID!, $course: ID!, $on: Date!) {
  linkEnrolment(input: {memberId: $member, courseId: $course, enrolledOn: $on}) {
    enrolment { id status member { displayName } course { title } }
    userErrors { field code message }
  }
}
"""
UPDATE = """
mutation($id: ID!, $status: EnrolmentStatus!, $done: Date) {
  updateEnrolment(id: $id, status: $status, completedOn: $done) {
    enrolment { status completedOn } userErrors { field code }
  }
}
"""
GRANT = """
mutation($college: ID!) {
  grantCollegeConsent(collegeId: $college) { consents { college { name } } userErrors { code } }
}
"""
REVOKE = """
mutation($college: ID!) {
  revokeCollegeConsent(collegeId: $college) { consents { college { name } } userErrors { code } }
}
"""
OWN_ENROLMENTS = """
{ college { name courses { title enrolmentCount enrolments(first: 10) {
    totalCount edges { node { member { id displayName } status } } } } } }
"""


@pytest.fixture
async def seeded(store: Store) -> None:
    """The three partner colleges and their courses."""
    await Services.build(store).colleges.seed()


@pytest.fixture
def southport(http: httpx.AsyncClient) -> GraphQLClient:
    """GraphQL as Southport College."""
    return GraphQLClient(http, token_for(Role.COLLEGE, college_id=SOUTHPORT))


def _payload(body: dict[str, Any]) -> Any:
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


async def test_coordinator_manages_colleges_and_courses(
    as_coordinator: GraphQLClient, seeded: None
) -> None:
    college = _payload(
        await as_coordinator(
            'mutation { createCollege(input: {name: "Hugh Baird College"})'
            " { college { id name } userErrors { code } } }"
        )
    )
    assert college["userErrors"] == [] and college["college"]["name"] == "Hugh Baird College"
    create = """mutation($c: ID!) { createCourse(input: {collegeId: $c, title: "Ukulele",
        category: MUSIC, term: "Spring 2027"}) { course { id title category term retired } } }"""
    course = _payload(await as_coordinator(create, c=college["college"]["id"]))["course"]
    assert (course["category"], course["retired"]) == ("MUSIC", False)
    update = """mutation($id: ID!) { updateCourse(input: {id: $id, title: "Ukulele for all"})
        { course { title term } userErrors { code } } }"""
    updated = _payload(await as_coordinator(update, id=course["id"]))
    assert updated["course"] == {"title": "Ukulele for all", "term": "Spring 2027"}
    retire = "mutation($id: ID!) { retireCourse(id: $id) { course { retired } } }"
    assert _payload(await as_coordinator(retire, id=course["id"]))["course"] == {"retired": True}
    listed = await as_coordinator(
        "query($id: ID!) { college(id: $id) { courses { title } all: courses(includeRetired: true)"
        " { title } } }",
        id=college["college"]["id"],
    )
    assert listed["data"]["college"] == {"courses": [], "all": [{"title": "Ukulele for all"}]}  # type: ignore[index]
    colleges = await as_coordinator("{ colleges { name } }")
    assert len(colleges["data"]["colleges"]) == 4  # type: ignore[index]


@pytest.mark.parametrize(
    ("mutation", "variables", "field", "code"),
    [
        (
            'mutation { createCollege(input: {name: " "}) { userErrors { field code } } }',
            {},
            "name",
            "INVALID_INPUT",
        ),
        (
            'mutation($c: ID!) { createCourse(input: {collegeId: $c, title: "T", category: OTHER,'
            ' term: "Autumn"}) { userErrors { field code } } }',
            {"c": to_global_id("College", "nope")},
            "collegeId",
            "NOT_FOUND",
        ),
        (
            "mutation($id: ID!) { retireCourse(id: $id) { userErrors { field code } } }",
            {"id": to_global_id("Course", "nope")},
            "id",
            "NOT_FOUND",
        ),
        (
            'mutation($id: ID!) { updateCourse(input: {id: $id, title: ""})'
            " { userErrors { field code } } }",
            {"id": WRAP},
            "title",
            "INVALID_INPUT",
        ),
    ],
    ids=["blank-college", "unknown-college", "unknown-course", "blank-title"],
)
async def test_course_admin_user_errors(
    as_coordinator: GraphQLClient,
    seeded: None,
    mutation: str,
    variables: dict[str, str],
    field: str,
    code: str,
) -> None:
    assert _payload(await as_coordinator(mutation, **variables))["userErrors"] == [
        {"field": field, "code": code}
    ]


async def test_consent_rules_from_both_sides(
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    southport: GraphQLClient,
    register: Callable[[str], Awaitable[str]],
    seeded: None,
) -> None:
    aoife = await register("Aoife")
    on = TODAY.isoformat()
    # Before consent the college can neither link nor see the member.
    before = _payload(await southport(LINK, member=aoife, course=WRAP, on=on))
    assert before["enrolment"] is None
    assert [e["code"] for e in before["userErrors"]] == ["NO_CONSENT"]
    assert "Aoife" not in str(before)
    granted = _payload(await as_member(aoife)(GRANT, college=SOUTHPORT))
    assert granted == {"consents": [{"college": {"name": "Southport College"}}], "userErrors": []}
    linked = _payload(await southport(LINK, member=aoife, course=WRAP, on=on))
    assert linked["userErrors"] == []
    assert linked["enrolment"]["member"] == {"displayName": "Aoife"}
    again = _payload(await southport(LINK, member=aoife, course=WRAP, on=on))
    assert [e["code"] for e in again["userErrors"]] == ["ALREADY_ENROLLED"]
    seen = (await southport(OWN_ENROLMENTS))["data"]["college"]  # type: ignore[index]
    wrap = next(c for c in seen["courses"] if c["title"] == "Introduction to WRAP")
    assert wrap["enrolmentCount"] == 1
    assert wrap["enrolments"]["edges"][0]["node"] == {
        "member": {"id": aoife, "displayName": "Aoife"},
        "status": "ENROLLED",
    }
    # Revoking hides the enrolment from the college; the member and coordinators keep it.
    revoked = _payload(await as_member(aoife)(REVOKE, college=SOUTHPORT))
    assert revoked == {"consents": [], "userErrors": []}
    hidden = (await southport(OWN_ENROLMENTS))["data"]["college"]  # type: ignore[index]
    wrap = next(c for c in hidden["courses"] if c["title"] == "Introduction to WRAP")
    assert wrap["enrolmentCount"] == 0 and wrap["enrolments"]["totalCount"] == 0
    assert "Aoife" not in str(hidden)
    mine = await as_member(aoife)(
        "{ me { member { enrolments { course { title } } consents { college { name } } } } }"
    )
    assert mine["data"]["me"]["member"] == {  # type: ignore[index]
        "enrolments": [{"course": {"title": "Introduction to WRAP"}}],
        "consents": [],
    }
    coordinator_view = await as_coordinator(
        "query($id: ID!) { member(id: $id) { enrolments { status } } }", id=aoife
    )
    assert coordinator_view["data"]["member"]["enrolments"] == [{"status": "ENROLLED"}]  # type: ignore[index]
    after = _payload(await southport(LINK, member=aoife, course=GUITAR, on=on))
    assert [e["code"] for e in after["userErrors"]] == ["NO_CONSENT"]
    not_sharing = _payload(await as_member(aoife)(REVOKE, college=SOUTHPORT))
    assert [e["code"] for e in not_sharing["userErrors"]] == ["NOT_FOUND"]


async def test_unknown_member_and_non_consenting_look_the_same_to_a_college(
    southport: GraphQLClient, register: Callable[[str], Awaitable[str]], seeded: None
) -> None:
    real = await register("Brendan")
    on = TODAY.isoformat()
    missing = _payload(
        await southport(LINK, member=to_global_id("Member", "nope"), course=WRAP, on=on)
    )
    refused = _payload(await southport(LINK, member=real, course=WRAP, on=on))
    assert missing == refused


async def test_college_cannot_touch_other_colleges_or_members(
    southport: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    register: Callable[[str], Awaitable[str]],
    seeded: None,
) -> None:
    aoife = await register("Aoife")
    await as_member(aoife)(GRANT, college=SOUTHPORT)
    await as_member(aoife)(GRANT, college=WATERLOO)
    foreign = await southport(LINK, member=aoife, course=TAI_CHI, on=TODAY.isoformat())
    assert [e["extensions"]["code"] for e in foreign["errors"]] == ["FORBIDDEN"]  # type: ignore[union-attr]
    other = await southport("query($id: ID!) { college(id: $id) { name } }", id=WATERLOO)
    assert [e["extensions"]["code"] for e in other["errors"]] == ["FORBIDDEN"]  # type: ignore[union-attr]
    listed = await southport("{ colleges { name courses { title } } }")
    assert [c["name"] for c in listed["data"]["colleges"]] == ["Southport College"]  # type: ignore[index]
    profile = await southport("query($id: ID!) { member(id: $id) { displayName } }", id=aoife)
    assert [e["extensions"]["code"] for e in profile["errors"]] == ["FORBIDDEN"]  # type: ignore[union-attr]
    assert "Aoife" not in str(profile)
    grant = await southport(GRANT, college=SOUTHPORT)
    assert [e["extensions"]["code"] for e in grant["errors"]] == ["FORBIDDEN"]  # type: ignore[union-attr]
    admin = await southport(
        'mutation { createCollege(input: {name: "X"}) { userErrors { code } } }'
    )
    assert [e["extensions"]["code"] for e in admin["errors"]] == ["FORBIDDEN"]  # type: ignore[union-attr]


async def test_members_cannot_link_or_see_course_enrolments(
    as_member: Callable[[str], GraphQLClient],
    register: Callable[[str], Awaitable[str]],
    seeded: None,
) -> None:
    aoife = await register("Aoife")
    link = await as_member(aoife)(LINK, member=aoife, course=WRAP, on=TODAY.isoformat())
    assert [e["extensions"]["code"] for e in link["errors"]] == ["FORBIDDEN"]  # type: ignore[union-attr]
    counts = await as_member(aoife)(
        "query($id: ID!) { college(id: $id) { courses { enrolmentCount } } }", id=SOUTHPORT
    )
    assert {e["extensions"]["code"] for e in counts["errors"]} == {"FORBIDDEN"}  # type: ignore[union-attr]
    # Members may browse colleges and courses to decide whom to share with.
    browse = await as_member(aoife)("{ colleges { name courses { title } } }")
    assert len(browse["data"]["colleges"]) == 3  # type: ignore[index]


async def test_update_enrolment_statuses_and_dates(
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    southport: GraphQLClient,
    register: Callable[[str], Awaitable[str]],
    seeded: None,
) -> None:
    aoife = await register("Aoife")
    await as_member(aoife)(GRANT, college=SOUTHPORT)
    start = (TODAY - timedelta(days=30)).isoformat()
    enrolment = _payload(await southport(LINK, member=aoife, course=WRAP, on=start))["enrolment"]
    cases = [
        ("COMPLETED", None, {"field": "completedOn", "code": "INVALID_INPUT"}),
        (
            "COMPLETED",
            (TODAY + timedelta(days=1)).isoformat(),
            {"field": "completedOn", "code": "INVALID_INPUT"},
        ),
        ("WITHDRAWN", TODAY.isoformat(), {"field": "completedOn", "code": "INVALID_INPUT"}),
    ]
    for status, done, error in cases:
        body = _payload(await southport(UPDATE, id=enrolment["id"], status=status, done=done))
        assert body["userErrors"] == [error], (status, done)
    done = _payload(
        await southport(UPDATE, id=enrolment["id"], status="COMPLETED", done=TODAY.isoformat())
    )
    assert done == {
        "enrolment": {"status": "COMPLETED", "completedOn": TODAY.isoformat()},
        "userErrors": [],
    }
    withdrawn = _payload(await as_coordinator(UPDATE, id=enrolment["id"], status="WITHDRAWN"))
    assert withdrawn["enrolment"] == {"status": "WITHDRAWN", "completedOn": None}
    await as_member(aoife)(REVOKE, college=SOUTHPORT)
    hidden = _payload(await southport(UPDATE, id=enrolment["id"], status="ENROLLED"))
    assert hidden["userErrors"] == [{"field": "id", "code": "NOT_FOUND"}]
    node = await southport("query($id: ID!) { node(id: $id) { id } }", id=enrolment["id"])
    assert node["data"] == {"node": None}


async def test_link_rejects_far_future_and_unknown_course(
    as_coordinator: GraphQLClient, register: Callable[[str], Awaitable[str]], seeded: None
) -> None:
    aoife = await register("Aoife")
    far = (TODAY + timedelta(days=400)).isoformat()
    body = _payload(await as_coordinator(LINK, member=aoife, course=WRAP, on=far))
    assert body["userErrors"][0]["field"] == "enrolledOn"
    unknown = _payload(
        await as_coordinator(
            LINK, member=aoife, course=to_global_id("Course", "x"), on=TODAY.isoformat()
        )
    )
    assert [e["code"] for e in unknown["userErrors"]] == ["NOT_FOUND"]
    # Coordinators link without the member's consent (they may see every member anyway).
    linked = _payload(await as_coordinator(LINK, member=aoife, course=WRAP, on=TODAY.isoformat()))
    assert linked["userErrors"] == []


async def test_college_me_and_node(southport: GraphQLClient, seeded: None) -> None:
    me = await southport("{ me { role collegeId } college { id name } }")
    assert me["data"] == {  # type: ignore[index]
        "me": {"role": "COLLEGE", "collegeId": SOUTHPORT},
        "college": {"id": SOUTHPORT, "name": "Southport College"},
    }
    course = await southport(
        "query($id: ID!) { node(id: $id) { ... on Course { title } } }", id=WRAP
    )
    assert course["data"] == {"node": {"title": "Introduction to WRAP"}}
    foreign = await southport("query($id: ID!) { node(id: $id) { id } }", id=TAI_CHI)
    assert [e["extensions"]["code"] for e in foreign["errors"]] == ["FORBIDDEN"]  # type: ignore[union-attr]
