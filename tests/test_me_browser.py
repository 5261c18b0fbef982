"""A member's own pages in a real browser (Debian's chromium) on a 360 x 740 phone: the flows of
issue 13, axe on every page, nothing wider than the screen, and a screenshot of each page kept
in test-artefacts/screenshots/ (not committed)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from graph_service.auth import Principal, Role
from graph_service.domain import Relation
from graph_service.services import Services
from graph_service.store import Store
from tests.browser import NewPage, checked
from tests.conftest import RunningServer, signin_secret

BOSS = Principal(Role.COORDINATOR, subject="coordinator:browser")
SOUTHPORT = Principal(Role.COLLEGE, college_id="southport-college")
ARTEFACTS = Path(__file__).resolve().parents[1] / "test-artefacts" / "screenshots"

# Anything whose right edge is past the screen, outside boxes that scroll on their own.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .filter((e) => !e.closest(".table-wrap, .visually-hidden, .skip"))
    .filter((e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > width + 1; })
    .map((e) => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""));
}"""


async def _member(store: Store, name: str) -> str:
    outcome = await Services.build(store).members.register(BOSS, name, None)
    assert outcome.value is not None, outcome.errors
    return outcome.value.id


async def _sign_in(server: RunningServer, store: Store, page: Page, member_id: str) -> None:
    secret = await signin_secret(store, Role.MEMBER, member_id=member_id)
    await page.goto(f"{server.url}/signin/{secret}")
    await expect(page).to_have_url(server.url + "/me")
    await expect(page.get_by_role("heading", level=1)).to_have_text("My circle")


async def _tie(store: Store, member_id: str, supporter_id: str) -> None:
    """``supporter_id`` joins ``member_id``'s circle (a coordinator invites, they say yes)."""
    services = Services.build(store)
    added = await services.circles.add_supporter(
        BOSS, member_id, Relation.PEER, supporter_member_id=supporter_id
    )
    assert added.value is not None, added.errors
    answered = await services.circles.respond(
        Principal(Role.MEMBER, member_id=supporter_id), added.value.id, True
    )
    assert answered.errors == []


async def _check(page: Page, name: str) -> None:
    """axe finds nothing, nothing is wider than the phone, and the page is photographed."""
    await checked(page)
    assert await page.evaluate(OVERFLOWING) == [], f"{page.url}: wider than the screen"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=ARTEFACTS / f"{name}.png", full_page=True)


async def _drawn(page: Page, which: str = "") -> int:
    """How many supporters the circle picture draws (of one CSS class, if given)."""
    return await page.locator(f"figure.circle svg .supporter{which}").count()


async def test_a_member_invites_another_who_accepts(
    server: RunningServer, store: Store, page: Page, new_page: NewPage
) -> None:
    ann, ben = await _member(store, "Ann"), await _member(store, "Ben Quiet")
    await _sign_in(server, store, page, ann)
    await expect(page.locator("figure.circle svg")).to_be_visible()
    await _check(page, "me-circle-empty")

    # Ben makes his connect code and gives it to Ann.
    other = await new_page()
    await _sign_in(server, store, other, ben)
    await other.get_by_role("button", name="Make my connect code").click()
    await expect(other.get_by_role("heading", level=1)).to_have_text("Your connect code")
    await expect(other.get_by_role("img", name="QR code of your connect code")).to_be_visible()
    code = (await other.locator(".connect-code span[aria-hidden]").inner_text()).strip()
    assert len(code) == 9
    await _check(other, "me-connect-code")

    # Ann invites him with it: he is drawn dashed, and his name is withheld.
    await page.get_by_label("Their connect code").fill(code.lower())
    await page.locator("#code_relation").select_option("FRIEND")
    await page.get_by_role("button", name="Invite this member").click()
    await expect(page.get_by_role("status")).to_contain_text("Your invitation has been sent")
    assert await _drawn(page, ".invited") == 1
    await expect(page.locator("ul.ties")).to_contain_text("Invited member")
    assert "Ben Quiet" not in await page.content()
    await _check(page, "me-circle-invited")

    # Ben sees the invitation, who is asking and what saying yes shares, and says yes.
    await other.get_by_role("link", name="Invitations").click()
    await expect(
        other.get_by_role("heading", name="Ann asks you to be in their circle")
    ).to_be_visible()
    await expect(other.locator(".shares")).to_contain_text("Nothing else about you is shared")
    await _check(other, "me-invitations")
    await other.get_by_role("button", name="Yes, join Ann's circle").click()
    await expect(other.get_by_role("status")).to_contain_text("You said yes")

    # Ann's picture now shows the tie as active, with Ben's name.
    await page.reload()
    assert await _drawn(page, ".invited") == 0
    assert await _drawn(page, ".member") == 1
    await expect(page.locator("figure.circle svg")).to_contain_text("Ben Quiet")
    await expect(page.locator("figure.circle svg desc")).to_contain_text("1 active supporter")
    await _check(page, "me-circle")


async def test_help_recorded_by_one_and_confirmed_by_the_other(
    server: RunningServer, store: Store, page: Page, new_page: NewPage
) -> None:
    cas, dot = await _member(store, "Cas"), await _member(store, "Dot")
    await _tie(store, cas, dot)
    await _sign_in(server, store, page, cas)
    await page.get_by_role("link", name="Help").click()
    await expect(page.locator("p.balance")).to_have_text("No help has been recorded yet.")
    await page.get_by_label("I helped them").check()
    await page.get_by_label("Who", exact=True).select_option(label="Dot")
    await page.get_by_label("What kind of help").select_option("LISTENING")
    await page.get_by_role("button", name="Record help").click()
    await expect(page.get_by_role("status")).to_contain_text("The help has been recorded")
    await expect(page.locator("p.balance")).to_have_text("You have helped once.")

    other = await new_page()
    await _sign_in(server, store, other, dot)
    await other.goto(server.url + "/me/help")
    await expect(other.locator("p.balance")).to_have_text("You have been helped once.")
    await expect(other.locator("#check")).to_contain_text("Cas helped you (listening)")
    await _check(other, "me-help")
    await other.get_by_role("button", name="Yes, that is right").click()
    await expect(other.get_by_role("status")).to_contain_text("Thank you for saying it is right")
    await expect(other.locator("#balance")).to_contain_text("1 of these has been confirmed")

    await page.reload()
    await expect(page.locator("#balance")).to_contain_text("1 of these has been confirmed")
    await expect(page.locator("#latest")).to_contain_text("Confirmed.")


async def test_sharing_with_a_college_is_followed_at_once(
    server: RunningServer, store: Store, page: Page
) -> None:
    services = Services.build(store)
    await services.colleges.seed()
    eve = await _member(store, "Eve")

    async def seen() -> bool:
        found = await services.enrolments.of_courses(["sc-wrap-intro"], consenting_only=True)
        return any(e.member_id == eve for e in found["sc-wrap-intro"])

    await _sign_in(server, store, page, eve)
    await page.get_by_role("link", name="Sharing with colleges").click()
    await _check(page, "me-sharing")
    card = page.locator("#college-southport-college")
    await card.get_by_role("button", name="Share with Southport College").click()
    await expect(page.get_by_role("status")).to_contain_text("You are now sharing")
    linked = await services.enrolments.link(SOUTHPORT, eve, "sc-wrap-intro", date.today())
    assert linked.errors == [] and await seen()
    await card.get_by_role("button", name="Stop sharing with Southport College").click()
    await expect(page.get_by_role("status")).to_contain_text("You have stopped sharing")
    assert not await seen()
    refused = await services.enrolments.link(SOUTHPORT, eve, "sc-guitar", date.today())
    assert [e.code.value for e in refused.errors] == ["NO_CONSENT"]


async def test_one_wellness_tool_is_the_easy_path(
    server: RunningServer, store: Store, page: Page
) -> None:
    await Services.build(store).wellness.seed()
    await _sign_in(server, store, page, await _member(store, "Fin"))
    await page.get_by_role("link", name="Wellness tools").click()
    await expect(page.locator("p.now")).to_have_text("You have not chosen a tool yet.")
    await expect(page.locator("#several details")).not_to_have_attribute("open", "")
    await _check(page, "me-tools")
    await page.get_by_label("Walking").first.check()
    await page.get_by_role("button", name="Choose this tool").click()
    await expect(page.get_by_role("status")).to_contain_text("saved")
    await expect(page.locator("p.now")).to_have_text("You are using: Walking.")


@pytest.mark.parametrize(
    ("path", "heading", "name"),
    [
        ("/me/looked", "Who has looked at my data", "me-looked"),
        ("/me/data", "My data", "me-data"),
        ("/me/ties/{tie}/end", "End the tie with Aunt Gail?", "me-end-a-tie"),
    ],
    ids=["looked", "data", "end-a-tie"],
)
async def test_other_member_pages(
    server: RunningServer, store: Store, page: Page, path: str, heading: str, name: str
) -> None:
    gus = await _member(store, "Gus")
    services = Services.build(store)
    added = await services.circles.add_supporter(
        BOSS, gus, Relation.FAMILY, person_name="Aunt Gail"
    )
    assert added.value is not None
    await _sign_in(server, store, page, gus)
    await page.goto(server.url + path.format(tie=added.value.id))
    await expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    await _check(page, name)


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


async def test_download_my_data(server: RunningServer, store: Store, page: Page) -> None:
    await _sign_in(server, store, page, await _member(store, "Hana"))
    await page.get_by_role("link", name="My data").click()
    async with page.expect_download() as download:
        await page.get_by_role("button", name="Download my data").click()
    saved = await download.value
    assert saved.suggested_filename == f"my-data-{date.today().isoformat()}.json"
    assert '"displayName": "Hana"' in _text(await saved.path())


async def test_ending_a_tie_asks_first(server: RunningServer, store: Store, page: Page) -> None:
    ivo = await _member(store, "Ivo")
    await _sign_in(server, store, page, ivo)
    await page.get_by_label("Their name").fill("Uncle Jim")
    await page.get_by_role("button", name="Add this person").click()
    await expect(page.get_by_role("status")).to_contain_text("has been added")
    await page.get_by_role("link", name="End this tie with Uncle Jim").click()
    await page.get_by_role("link", name="No, keep it").click()
    assert await _drawn(page) == 1
    await page.get_by_role("link", name="End this tie with Uncle Jim").click()
    await page.get_by_role("button", name="Yes, end the tie").click()
    await expect(page.get_by_role("status")).to_contain_text("The tie has ended")
    assert await _drawn(page) == 0
    await expect(page.locator("details.history")).to_contain_text("Uncle Jim")
