"""The programme's pages in a real browser (Debian's chromium) at 360 px, checked with axe."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from graph_service.auth import Role
from graph_service.store import Store
from loaders.demo import load_demo
from tests.browser import axe_check
from tests.conftest import RunningServer, signin_secret

A_LEAD = """
MATCH (p:ProgrammeSession)-[:FACILITATED_BY]->(m:Member)
RETURN m.id AS id ORDER BY m.id LIMIT 1
"""


@pytest.fixture
async def demo(store: Store) -> Store:
    """The 350-member demo network with its year of sessions, as `make run` shows it."""
    await load_demo(store)
    return store


async def _sign_in(
    page: Page, server: RunningServer, store: Store, role: Role, **target: str
) -> None:
    await page.goto(server.url + f"/signin/{await signin_secret(store, role, **target)}")


async def _fits_the_screen(page: Page) -> None:
    """Nothing makes the page scroll sideways (tables scroll inside their own box)."""
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert page.viewport_size is not None
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"


async def test_a_coordinator_takes_a_register_on_a_phone(
    server: RunningServer, demo: Store, page: Page
) -> None:
    await _sign_in(page, server, demo, Role.COORDINATOR)
    await page.get_by_role("link", name="Programme").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Programme")
    await axe_check(page)
    await _fits_the_screen(page)
    taken = page.locator("ul.sessions li", has_text="Register taken").last
    await taken.get_by_role("link").click()
    await expect(page.get_by_role("group", name="Who came?")).to_be_visible()
    await axe_check(page)
    await _fits_the_screen(page)
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
    await axe_check(page)
    await _fits_the_screen(page)


async def test_a_member_who_leads_finds_their_register_from_their_page(
    server: RunningServer, demo: Store, page: Page
) -> None:
    lead = (await demo.read(A_LEAD))[0]["id"]
    await _sign_in(page, server, demo, Role.MEMBER, member_id=lead)
    await expect(page.get_by_role("heading", level=1)).to_have_text("My circle")
    await page.get_by_role("link", name="Take the register for the sessions you lead").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sessions you lead")
    await axe_check(page)
    await _fits_the_screen(page)
    await page.locator("ul.sessions li", has_text="Register taken").last.get_by_role("link").click()
    await expect(page.get_by_role("button", name="Save the register")).to_be_visible()
    await expect(page.get_by_role("search")).to_have_count(0)
    await axe_check(page)
    await _fits_the_screen(page)
