"""Live updates in a real browser (Debian's chromium, CSP enforced): the dashboard's worklist
changes without a reload, and GraphiQL subscribes over its WebSocket."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from playwright.async_api import Page, expect

from graph_service.auth import Role
from graph_service.store import Store
from tests.conftest import GraphQLClient, RunningServer, signin_secret, token_for
from tests.live_clients import watching

Register = Callable[[str], Awaitable[str]]
Add = Callable[..., Awaitable[dict[str, Any]]]
END = "mutation($t: ID!) { endSupport(tieId: $t) { userErrors { code } } }"
SUBSCRIPTION = (
    "subscription { isolationChanged(minSupporters: 1) "
    "{ memberId isolated reasons activeSupporters member { displayName } } }"
)


async def test_the_worklist_updates_itself_without_a_reload(
    server: RunningServer, store: Store, page: Page, register: Register, add_supporter: Add
) -> None:
    aoife = await register("Aoife")
    await page.goto(server.url + f"/signin/{await signin_secret(store)}")
    await expect(page.locator("table.worklist")).to_contain_text("Aoife")
    await watching(server.app)
    marker = await page.evaluate("window.marker = 'still the same page'")
    assert marker == "still the same page"
    await register("Brendan")
    await add_supporter(memberId=aoife, relation="FAMILY", person={"displayName": "Mam"})
    await expect(page.locator("table.worklist")).to_contain_text("Brendan")
    await expect(page.get_by_role("status")).to_contain_text("The worklist was updated at")
    # No reload happened: the page kept its own state.
    assert await page.evaluate("window.marker") == "still the same page"


async def test_graphiql_subscribes_and_shows_who_loses_their_last_supporter(
    server: RunningServer,
    desktop_page: Page,
    as_coordinator: GraphQLClient,
    register: Register,
    add_supporter: Add,
) -> None:
    aoife = await register("Aoife")
    tie = (await add_supporter(memberId=aoife, relation="FRIEND", person={"displayName": "Pat"}))[
        "tie"
    ]
    page = desktop_page
    await page.goto(server.url + "/graphql")
    # GraphiQL's editors are CodeMirror: typed into, as a person would.
    await _type_into(page, ".graphiql-query-editor", SUBSCRIPTION)
    await page.get_by_role("button", name="Headers").click()
    token = token_for(Role.COORDINATOR)
    await _type_into(page, ".graphiql-editor-tool", f'{{"Authorization": "Bearer {token}"}}')
    await page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
    await watching(server.app)
    assert (await as_coordinator(END, t=tie["id"]))["data"]["endSupport"]["userErrors"] == []  # type: ignore[index]
    result = page.locator(".graphiql-response")
    await expect(result).to_contain_text("NO_SUPPORTERS")
    await expect(result).to_contain_text("Aoife")
    await add_supporter(memberId=aoife, relation="FAMILY", person={"displayName": "Mam"})
    await expect(result).to_contain_text('"activeSupporters": 1')


async def _type_into(page: Page, editor: str, text: str) -> None:
    """Replace what a GraphiQL editor holds with ``text``."""
    await page.locator(f"{editor} .CodeMirror >> visible=true").first.click()
    await page.keyboard.press("Control+A")
    await page.keyboard.press("Delete")
    await page.keyboard.insert_text(text)
