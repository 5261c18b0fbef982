"""The colleges' pages in a real browser (Debian's chromium) at 360 px, checked with axe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.async_api import Page, expect

from graph_service.auth import Principal, Role
from graph_service.ids import to_global_id
from graph_service.services import Services
from graph_service.services.validation import today
from graph_service.store import Store
from tests.browser import checked
from tests.conftest import RunningServer, signin_secret

BOSS = Principal(Role.COORDINATOR, subject="coordinator:browser")
PAST = (today() - timedelta(days=30)).isoformat()
RECENT = (today() - timedelta(days=2)).isoformat()
HEADER = "member_id,course_id,enrolled_on,status,completed_on"


@dataclass(frozen=True)
class People:
    """Members' global ids: Ann and Bob share with Southport College, Dee does not."""

    ann: str
    bob: str
    dee: str


@pytest.fixture
async def people(store: Store) -> People:
    """The partner colleges; three members; Bob already on Southport's WRAP course."""
    services = Services.build(store)
    await services.colleges.seed()
    ids = {}
    for name in ("Ann Ash", "Bob Birch", "Dee Dale"):
        outcome = await services.members.register(BOSS, name, None)
        assert outcome.value is not None
        ids[name.split()[0].lower()] = outcome.value.id
    for name in ("ann", "bob"):
        member = Principal(Role.MEMBER, member_id=ids[name])
        assert not (await services.enrolments.grant(member, "southport-college")).errors
    linked = await services.enrolments.link(
        BOSS, ids["bob"], "sc-wrap-intro", today() - timedelta(days=30)
    )
    assert not linked.errors
    return People(*(to_global_id("Member", ids[n]) for n in ("ann", "bob", "dee")))


async def _sign_in(page: Page, server: RunningServer, store: Store) -> None:
    secret = await signin_secret(store, Role.COLLEGE, college_id="southport-college")
    await page.goto(f"{server.url}/signin/{secret}")
    await expect(page).to_have_url(server.url + "/college")


async def test_a_college_links_and_updates_enrolments_on_a_phone(
    server: RunningServer, store: Store, people: People, page: Page
) -> None:
    await _sign_in(page, server, store)
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Southport College: your courses"
    )
    await checked(page)

    await page.get_by_role("link", name="Introduction to WRAP").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Introduction to WRAP")
    await expect(page.get_by_role("heading", name="Bob Birch")).to_be_visible()
    await checked(page)

    # A member who does not share: told in words next to the field, and nothing about them.
    await page.get_by_label("Member id").fill(people.dee)
    await page.get_by_role("button", name="Link this member").click()
    await expect(page.locator("#link-member_id-error")).to_contain_text(
        "No member with this id shares with your college"
    )
    await expect(page.get_by_label("Member id")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("main")).not_to_contain_text("Dee Dale")
    await checked(page)

    await page.get_by_label("Member id").fill(people.ann)
    await page.get_by_label("Date enrolled").fill(PAST)
    await page.get_by_role("button", name="Link this member").click()
    await expect(page.get_by_role("status")).to_contain_text("has been linked")
    await expect(page.get_by_role("heading", name="Ann Ash")).to_be_visible()

    # Completed needs its date: the error is next to the date field of Ann's enrolment.
    await page.get_by_label("Change the status of Ann Ash").select_option("COMPLETED")
    await page.get_by_role("button", name="Save the enrolment of Ann Ash").click()
    await expect(page.locator("main .error")).to_contain_text("needs the date it was completed")
    await checked(page)
    await page.get_by_label("Date completed by Ann Ash").fill(RECENT)
    await page.get_by_role("button", name="Save the enrolment of Ann Ash").click()
    await expect(page.get_by_role("status")).to_contain_text("has been saved")
    await expect(page.get_by_label("Change the status of Ann Ash")).to_have_value("COMPLETED")
    await checked(page)

    # Another college's course is answered like a course that does not exist.
    await page.goto(server.url + "/college/courses/wc-tai-chi")
    await expect(page.get_by_role("heading", level=1)).to_have_text("No such course")
    await checked(page)


async def test_a_college_uploads_enrolments_checks_then_confirms(
    server: RunningServer, store: Store, people: People, page: Page
) -> None:
    guitar = to_global_id("Course", "sc-guitar")
    wrap = to_global_id("Course", "sc-wrap-intro")
    content = "\n".join(
        [
            HEADER,
            f"{people.ann},{guitar},{PAST},,",
            f"{people.dee},{guitar},{PAST},,",
            f"{people.bob},{wrap},{PAST},,",
            f"{people.ann},{wrap},next week,,",
        ]
    ).encode()
    upload = {"name": "term.csv", "mimeType": "text/csv", "buffer": content}
    await _sign_in(page, server, store)
    await page.get_by_role("link", name="Upload enrolments").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Upload enrolments")
    await checked(page)

    await page.get_by_label("CSV file").set_input_files(files=[upload])
    await page.get_by_role("button", name="Check the file").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Check of term.csv")
    rows = page.locator("ol.upload-rows > li")
    await expect(rows).to_have_count(4)
    await expect(rows.nth(0)).to_contain_text("Line 2: can be linked")
    await expect(rows.nth(1)).to_contain_text("Line 3: cannot be linked")
    await expect(rows.nth(1)).to_contain_text("No member with this id shares with your college")
    await expect(rows.nth(2)).to_contain_text("Line 4: already linked")
    await expect(rows.nth(3)).to_contain_text("must be a date written YYYY-MM-DD")
    await checked(page)

    await page.get_by_role("button", name="Link 1 enrolment").click()
    await expect(page.get_by_role("status")).to_contain_text("1 enrolment was linked")
    await checked(page)
    await page.get_by_role("link", name="See your courses").click()
    guitar_item = page.locator("ul.college-courses li", has_text="Guitar for beginners")
    await expect(guitar_item).to_contain_text("1 member enrolled")

    # The same file again changes nothing, and says so.
    await page.get_by_role("link", name="Upload enrolments").click()
    await page.get_by_label("CSV file").set_input_files(files=[upload])
    await page.get_by_role("button", name="Check the file").click()
    await expect(rows.nth(0)).to_contain_text("Line 2: already linked")
    await expect(page.get_by_role("button", name="Link 1 enrolment")).to_have_count(0)
    await checked(page)

    # A file that is not a CSV export: the CLI's words, next to the field.
    await page.get_by_role("link", name="Upload another file").click()
    await page.get_by_label("CSV file").set_input_files(
        files=[
            {
                "name": "term.xlsx",
                "mimeType": "application/octet-stream",
                "buffer": b"PK\x03\x04\xff",
            }
        ]
    )
    await page.get_by_role("button", name="Check the file").click()
    await expect(page.locator("#file-error")).to_contain_text("term.xlsx: not UTF-8")
    await checked(page)
