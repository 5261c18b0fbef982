"""The coordinators' pages in a real browser (Debian's chromium), at 360 px, checked with axe."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from graph_service.auth import Principal, Role
from graph_service.services import Services
from graph_service.store import Store
from loaders.demo import load_demo
from tests.browser import NewPage, axe_check, fits_the_screen
from tests.conftest import RunningServer, signin_secret

BOSS = Principal(Role.COORDINATOR, subject="coordinator:browser")


async def _link(store: Store, role: Role = Role.COORDINATOR, **target: str) -> str:
    return f"/signin/{await signin_secret(store, role, **target)}"


@pytest.fixture
async def demo(store: Store) -> Store:
    """The 350-member demo network, as `make run` shows it."""
    await load_demo(store)
    return store


async def _supporters_drawn(page: Page) -> int:
    """How many supporters the circle picture draws."""
    return await page.locator("figure.circle svg .supporter").count()


async def test_coordinator_day_on_the_demo_network(
    server: RunningServer, demo: Store, page: Page
) -> None:
    await page.goto(server.url + await _link(demo))
    await expect(page).to_have_url(server.url + "/")
    await expect(page.get_by_role("heading", name="Who may need support")).to_be_visible()
    await expect(page.get_by_role("table")).to_be_visible()
    assert await page.locator("table.worklist tbody tr").count() == 25
    await expect(page.locator("figure.network svg")).to_be_visible()
    await axe_check(page)
    await fits_the_screen(page)

    # Filter the worklist by a reason, then open the first member.
    await page.get_by_label("Reason").select_option("NO_SUPPORTERS")
    await page.get_by_role("button", name="Show").click()
    await expect(page.get_by_role("table")).to_contain_text("Has no supporters")
    first = page.locator("table.worklist tbody th a").first
    name = (await first.inner_text()).strip()
    await first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(name)
    await expect(page.locator("figure.circle svg")).to_be_visible()
    await axe_check(page)
    await fits_the_screen(page)
    before = await _supporters_drawn(page)

    # Add a supporter through the plain form: the circle picture gains them.
    await page.get_by_label("Their name").fill("Aunt Maureen")
    await page.locator("#person_relation").select_option("FAMILY")
    await page.get_by_role("button", name="Add this person").click()
    await expect(page.get_by_role("status")).to_contain_text("has been added")
    assert await _supporters_drawn(page) == before + 1
    await expect(page.locator("figure.circle svg")).to_contain_text("Aunt Maureen")
    await axe_check(page)

    # A form error is shown next to its field, in words.
    await page.get_by_label("Their name").fill("   ")
    await page.get_by_role("button", name="Add this person").click()
    await expect(page.locator("#add-person .error")).to_contain_text("Must be 1 to 80")
    await axe_check(page)

    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    await page.goto(server.url + "/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Please sign in")


@pytest.mark.parametrize("path", ["/load?at_least=2", "/fragile", "/members?q=a", "/links"])
async def test_other_coordinator_pages_are_accessible(
    server: RunningServer, demo: Store, page: Page, path: str
) -> None:
    await page.goto(server.url + await _link(demo))
    await page.goto(server.url + path)
    await expect(page.get_by_role("heading", level=1)).to_be_visible()
    await axe_check(page)
    await fits_the_screen(page)


async def test_a_used_link_is_refused(
    server: RunningServer, store: Store, new_page: NewPage
) -> None:
    link = server.url + await _link(store)
    first = await new_page()
    await first.goto(link)
    await expect(first).to_have_url(server.url + "/")
    second = await new_page()
    await second.goto(link)
    await expect(second.get_by_role("heading", level=1)).to_have_text(
        "This sign-in link cannot be used"
    )
    await axe_check(second)


async def test_a_member_session_is_refused_on_the_dashboard(
    server: RunningServer, store: Store, page: Page
) -> None:
    outcome = await Services.build(store).members.register(BOSS, "Nell", None)
    assert outcome.value is not None
    await page.goto(server.url + await _link(store, Role.MEMBER, member_id=outcome.value.id))
    await page.goto(server.url + "/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("This page is not for you")
    assert "Isolation worklist" not in await page.content()
    await axe_check(page)


async def test_a_form_without_its_csrf_token_is_refused(
    server: RunningServer, store: Store, page: Page
) -> None:
    outcome = await Services.build(store).members.register(BOSS, "Olly", None)
    assert outcome.value is not None
    await page.goto(server.url + await _link(store))
    await page.goto(server.url + f"/members/{outcome.value.id}")
    form = page.locator("#add-person")
    await form.locator("input[name=csrf_token]").evaluate("input => input.remove()")
    await page.get_by_label("Their name").fill("Uncle Pat")
    await page.get_by_role("button", name="Add this person").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("That form could not be sent")
    await page.goto(server.url + f"/members/{outcome.value.id}")
    assert "Uncle Pat" not in await page.content()


async def test_a_coordinator_gives_a_member_a_link_by_qr_code(
    server: RunningServer, store: Store, new_page: NewPage
) -> None:
    outcome = await Services.build(store).members.register(BOSS, "Pip", None)
    assert outcome.value is not None
    boss = await new_page(width=1280, height=800)
    await boss.goto(server.url + await _link(store))
    await boss.goto(server.url + f"/members/{outcome.value.id}")
    await boss.get_by_role("button", name="Make a sign-in link").click()
    await expect(boss.get_by_role("img", name="QR code of the sign-in link")).to_be_visible()
    await axe_check(boss)
    url = await boss.get_by_label("The link").input_value()
    path = re.sub(r"^https?://[^/]+", "", url)
    phone = await new_page()
    await phone.goto(server.url + path)
    await expect(phone).to_have_url(server.url + "/me")
    await expect(phone.get_by_role("heading", level=1)).to_have_text("My circle")
