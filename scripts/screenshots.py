"""Take the README's screenshots of the web app on the demo network (refresh them any time).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Starts its own embedded engine in a temporary folder, loads the 350-member demo network,
signs a coordinator (and one member) in with one-time links, and photographs the pages in
Debian's chromium at a desktop width and at 360 px (a phone).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from pathlib import Path

from playwright.async_api import Page, async_playwright

from graph_service.auth import Role
from graph_service.engine import EmbeddedEngine
from graph_service.settings import load_settings
from graph_service.store import Store
from tests.browser import CHROMIUM_ARGS, require_chromium
from tests.conftest import coordinator_link, running, signin_secret

ROOT = Path(__file__).resolve().parents[1]
FULL = bool(os.environ.get("FULL_PAGES"))  # also whole pages, to look at by hand


async def _flagged_member(page: Page) -> str:
    """The flagged member with the most supporters: the circle picture has most to show."""
    await page.goto(page.url.split("?")[0] + "?sort=supporters&page=999999")
    href = await page.locator("table.worklist tbody th a").last.get_attribute("href")
    assert href
    return href


async def _member_link(engine: EmbeddedEngine, member_id: str) -> str:
    """A member's sign-in secret, made beside the service that owns this engine."""
    store = Store.connect(engine.bolt_uri, engine.user, engine.password, engine.database)
    try:
        return await signin_secret(store, Role.MEMBER, member_id=member_id)
    finally:
        await store.close()


async def shoot(base: str, engine: EmbeddedEngine, out: Path) -> None:
    """Photograph the pages of the service at ``base`` into ``out``."""
    secret = await coordinator_link(engine, "coordinator:siobhan")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        desktop = await browser.new_page(viewport={"width": 1280, "height": 900})
        await desktop.goto(f"{base}/signin/{secret}")
        await desktop.screenshot(path=out / "dashboard.png", full_page=False)
        await desktop.locator("figure.network").screenshot(path=out / "network.png")
        member = await _flagged_member(desktop)
        await desktop.goto(base + member)
        await desktop.screenshot(path=out / "member.png", full_page=False)
        await desktop.locator("figure.circle").screenshot(path=out / "circle.png")
        phone = await browser.new_page(viewport={"width": 360, "height": 740})
        await phone.context.add_cookies(await desktop.context.cookies())
        await phone.goto(base + "/")
        await phone.screenshot(path=out / "dashboard-phone.png")
        if FULL:
            await phone.screenshot(path=out / "dashboard-phone-full.png", full_page=True)
        await phone.goto(base + member)
        await phone.screenshot(path=out / "member-phone.png")
        if FULL:
            await phone.screenshot(path=out / "member-phone-full.png", full_page=True)
            await desktop.screenshot(path=out / "member-full.png", full_page=True)
        # The same member on their own phone, signed in with their own link.
        mine = await browser.new_page(viewport={"width": 360, "height": 740})
        await mine.goto(f"{base}/signin/{await _member_link(engine, member.rsplit('/', 1)[1])}")
        await mine.evaluate("document.querySelector('main').scrollIntoView()")
        await mine.screenshot(path=out / "me-circle-phone.png")
        if FULL:
            await mine.screenshot(path=out / "me-circle-phone-full.png", full_page=True)
        await browser.close()


def main() -> None:
    """Parse the arguments and take the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    out: Path = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data:
        settings = load_settings(data_dir=Path(data))
        # The first development start of an empty graph loads the demo network.
        with running(settings) as server:
            engine = server.app.state.engine  # type: ignore[attr-defined]
            asyncio.run(shoot(server.url, engine, out))
    for picture in sorted(out.glob("*.png")):
        print(picture.relative_to(ROOT) if picture.is_relative_to(ROOT) else picture)


if __name__ == "__main__":
    main()
