"""The programme's pages in a real browser (Debian's chromium) at 360 px, checked with axe."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.async_api import Page, expect

from graph_service.auth import Principal, Role
from graph_service.services import Services
from graph_service.store import Store
from loaders.demo import load_demo
from tests.browser import axe_check, checked
from tests.conftest import RunningServer, signin_secret

A_LEAD = """
MATCH (p:ProgrammeSession)-[:FACILITATED_BY]->(m:Member)
RETURN m.id AS id ORDER BY m.id LIMIT 1
"""


BOSS = Principal(Role.COORDINATOR, subject="coordinator:browser")
NEXT_MONDAY = date.today() + timedelta(days=7 - date.today().weekday())


@pytest.fixture
async def demo(store: Store) -> Store:
    """The 350-member demo network with its year of sessions, as `make run` shows it."""
    await load_demo(store)
    return store


async def _sign_in(
    page: Page, server: RunningServer, store: Store, role: Role, **target: str
) -> None:
    await page.goto(server.url + f"/signin/{await signin_secret(store, role, **target)}")


@pytest.fixture
async def small(store: Store) -> Store:
    """The kinds of session and one member who can lead (much lighter than the demo)."""
    services = Services.build(store)
    await services.programme.seed()
    assert (await services.members.register(BOSS, "New Niall", None)).value is not None
    return store


async def test_a_coordinator_takes_a_register_on_a_phone(
    server: RunningServer, demo: Store, page: Page
) -> None:
    await _sign_in(page, server, demo, Role.COORDINATOR)
    await page.get_by_role("link", name="Programme").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Programme")
    await checked(page)
    taken = page.locator("ul.sessions li", has_text="Register taken").last
    await taken.get_by_role("link").click()
    await expect(page.get_by_role("group", name="Who came?")).to_be_visible()
    await checked(page)
    boxes = page.locator("ul.ticks input[type=checkbox]")
    before = await page.locator("ul.ticks input:checked").count()
    # The first name the list does not tick yet: tapping the name ticks the box.
    unticked = page.locator("ul.ticks li", has=page.locator("input:not(:checked)")).first
    await unticked.locator("label").click()
    assert await boxes.count() > 0
    await page.get_by_role("button", name="Save the register").click()
    await expect(page.get_by_role("status")).to_contain_text(f"{before + 1} people came")
    await axe_check(page)


async def test_the_trends_page_on_a_phone(server: RunningServer, demo: Store, page: Page) -> None:
    await _sign_in(page, server, demo, Role.COORDINATOR)
    await page.get_by_role("link", name="Trends").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("The network month by month")
    await expect(page.locator("ul.charts svg")).to_have_count(8)
    await expect(page.get_by_role("img", name="Members", exact=True)).to_be_visible()
    await checked(page)


async def test_a_member_who_leads_finds_their_register_from_their_page(
    server: RunningServer, demo: Store, page: Page
) -> None:
    lead = (await demo.read(A_LEAD))[0]["id"]
    await _sign_in(page, server, demo, Role.MEMBER, member_id=lead)
    await expect(page.get_by_role("heading", level=1)).to_have_text("My circle")
    await page.get_by_role("link", name="Take the register for the sessions you lead").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sessions you lead")
    await checked(page)
    await page.locator("ul.sessions li", has_text="Register taken").last.get_by_role("link").click()
    await expect(page.get_by_role("button", name="Save the register")).to_be_visible()
    await expect(page.get_by_role("search")).to_have_count(0)
    await checked(page)


async def test_a_coordinator_adds_then_cancels_a_session_on_a_phone(
    server: RunningServer, small: Store, page: Page
) -> None:
    await _sign_in(page, server, small, Role.COORDINATOR)
    await page.get_by_role("link", name="Programme").click()
    await page.get_by_role("link", name="Add a session").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Add a session")
    await checked(page)
    await page.get_by_role("button", name="Add the session").click()
    await expect(page.get_by_role("alert")).to_contain_text("Something needs changing")
    await expect(page.get_by_label("Date")).to_have_attribute("aria-invalid", "true")
    await checked(page)
    await page.get_by_label("Kind of session", exact=True).select_option("WRAP class")
    await page.get_by_label("Date").fill((NEXT_MONDAY + timedelta(days=1)).isoformat())
    await page.get_by_label("Start time").fill("10:30")
    await page.get_by_label("Venue").fill("Bootle Library")
    await page.get_by_label("Find a member by name").fill("niall")
    await page.get_by_role("button", name="Find", exact=True).click()
    await page.get_by_label("New Niall").check()
    await expect(page.get_by_label("Venue")).to_have_value("Bootle Library")
    await checked(page)
    # Enter in a box saves (the form's first button, hidden, is its save button).
    await page.get_by_label("Venue").press("Enter")
    await expect(page.get_by_role("status")).to_have_text(
        "The session has been added to the programme."
    )
    await expect(page.locator("p.meta")).to_contain_text("Led by New Niall")
    await checked(page)
    await page.get_by_role("link", name="Cancel this session").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Cancel this session?")
    await checked(page)
    await page.get_by_role("button", name="Yes, cancel it").click()
    await expect(page.get_by_role("status")).to_contain_text("The session has been cancelled.")
    await expect(page.get_by_text("This session was cancelled")).to_be_visible()
    await axe_check(page)


async def test_a_coordinator_adds_a_kind_and_a_weekly_schedule_on_a_phone(
    server: RunningServer, small: Store, page: Page
) -> None:
    await _sign_in(page, server, small, Role.COORDINATOR)
    await page.goto(server.url + "/programme")
    await page.get_by_role("link", name="Add a weekly schedule").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Add a weekly schedule")
    await checked(page)
    await page.get_by_label("Name of the kind").fill("Hearing Voices group")
    await page.get_by_role("button", name="Add this kind").click()
    await expect(page.get_by_role("status")).to_contain_text("The kind of session has been added")
    await expect(page.get_by_label("Kind of session", exact=True)).to_have_value(
        "Hearing Voices group"
    )
    await page.get_by_label("Monday").check()
    await page.get_by_label("Thursday").check()
    await page.get_by_label("Last day").fill((NEXT_MONDAY + timedelta(days=13)).isoformat())
    await page.get_by_label("Start time").fill("18:00")
    await page.get_by_label("Venue").fill("Crosby Hub")
    await page.get_by_role("button", name="Add the schedule").click()
    await expect(page.get_by_role("alert")).to_contain_text("Something needs changing")
    await expect(page.get_by_label("Monday")).to_be_checked()
    await checked(page)
    await page.get_by_label("First day").fill(NEXT_MONDAY.isoformat())
    await page.get_by_role("button", name="Add the schedule").click()
    await expect(page.get_by_role("status")).to_have_text(
        "The schedule has been added: it made 4 sessions. The first ones are below."
    )
    await expect(page.locator("ul.sessions li", has_text="Hearing Voices group")).to_have_count(4)
    await checked(page)
