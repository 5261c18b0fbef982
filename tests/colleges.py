"""What the colleges' page tests share: ids, the seeded world's shape, form helpers."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from html import unescape

import httpx

from graph_service.ids import from_global_id, to_global_id
from graph_service.services.validation import today
from tests.conftest import GraphQLClient

SOUTHPORT = to_global_id("College", "southport-college")
WATERLOO = to_global_id("College", "waterloo-college")
WRAP, GUITAR, TAI_CHI = "sc-wrap-intro", "sc-guitar", "wc-tai-chi"  # Tai chi is Waterloo's
HEADER = "member_id,course_id,enrolled_on,status,completed_on"
TODAY = today()
PAST = (TODAY - timedelta(days=60)).isoformat()
RECENT = (TODAY - timedelta(days=5)).isoformat()
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')
REFERENCE = re.compile(r"<code>[^<]*</code>")  # the request id a problem page quotes

LINK = """
mutation($member: ID!, $course: ID!, $on: Date!) {
  linkEnrolment(input: {memberId: $member, courseId: $course, enrolledOn: $on}) {
    enrolment { id } userErrors { code }
  }
}
"""
GRANT = "mutation($c: ID!) { grantCollegeConsent(collegeId: $c) { userErrors { code } } }"
REVOKE = "mutation($c: ID!) { revokeCollegeConsent(collegeId: $c) { userErrors { code } } }"
COUNTS = "{ college { courses { id enrolmentCount } } }"

SignIn = Callable[..., Awaitable[httpx.AsyncClient]]


@dataclass(frozen=True)
class World:
    """Colleges, and members in each state of sharing (global ids) with their enrolments."""

    ann: str  # shares with Southport, not yet enrolled
    bob: str  # shares with Southport, enrolled on its WRAP course
    cas: str  # shares with Waterloo only, enrolled on its Tai chi course
    dee: str  # shares with nobody, enrolled on Southport's WRAP course by a coordinator
    bob_wrap: str  # enrolment ids (internal)
    cas_tai_chi: str
    dee_wrap: str


def member_id(member: str) -> str:
    """The internal id inside a member's global id."""
    return from_global_id(member, "Member")


async def form_token(client: httpx.AsyncClient, path: str = "/college") -> str:
    """The session's form token, from a page with a form."""
    match = CSRF.search((await client.get(path)).text)
    assert match, "no form on the page"
    return match.group(1)


def without_reference(text: str) -> str:
    """A page without what differs between any two requests (the reference it quotes)."""
    return REFERENCE.sub("", text)


async def upload(
    client: httpx.AsyncClient, content: bytes, name: str = "enrolments.csv"
) -> httpx.Response:
    """Send a file to be checked, as the upload form does."""
    return await client.post(
        "/college/upload",
        data={"csrf_token": await form_token(client, "/college/upload")},
        files={"file": (name, content, "text/csv")},
    )


def confirm_form(page: str) -> dict[str, str]:
    """The fields the confirm form of a check page sends."""
    form = page.split('action="/college/upload/confirm"', 1)[1].split("</form>", 1)[0]
    return {name: unescape(value) for name, value in HIDDEN.findall(form)}


async def enrolment_counts(college: GraphQLClient) -> dict[str, int]:
    """Enrolments per course (internal ids) as the college's API token sees them."""
    body = await college(COUNTS)
    return {
        from_global_id(c["id"], "Course"): c["enrolmentCount"]
        for c in body["data"]["college"]["courses"]  # type: ignore[index]
    }
