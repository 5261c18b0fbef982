"""Take the README's screenshots of the web app on the demo network (refresh them any time).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Starts its own embedded engine in a temporary folder, loads the 350-member demo network,
signs a coordinator in with a one-time link, and photographs the pages in Debian's chromium
at a desktop width and at 360 px (a phone).
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.async_api import Page, async_playwright

from graph_service.app import create_app
from graph_service.auth import Principal, Role
from graph_service.engine import EmbeddedEngine
from graph_service.services import Services
from graph_service.settings import load_settings
from graph_service.store import Store
from tests.browser import CHROMIUM_ARGS, require_chromium

ROOT = Path(__file__).resolve().parents[1]
SHOOTER = Principal(Role.COORDINATOR, subject="cli:screenshots")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _link(engine: EmbeddedEngine) -> str:
    # The service's own driver belongs to its event loop: this one connects by itself.
    store = Store.connect(engine.bolt_uri, engine.user, engine.password, engine.database)
    try:
        outcome = await Services.build(store).signin.create_link(
            SHOOTER, Role.COORDINATOR, subject="coordinator:siobhan"
        )
    finally:
        await store.close()
    assert outcome.value is not None
    return outcome.value.secret


async def _flagged_member(page: Page) -> str:
    """A flagged member with a few supporters: the circle picture has something to show."""
    await page.goto(page.url.split("?")[0] + "?sort=supporters&reason=BELOW_THRESHOLD")
    rows = page.locator("table.worklist tbody tr")
    for i in range(await rows.count()):
        cells = rows.nth(i).locator("td")
        if (await cells.nth(1).inner_text()).strip() == "1":
            href = await rows.nth(i).locator("th a").get_attribute("href")
            assert href
            return href
    href = await rows.first.locator("th a").get_attribute("href")
    assert href
    return href


async def shoot(out: Path) -> None:
    """Serve the demo network and photograph its pages into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data:
        port = _free_port()
        settings = load_settings(data_dir=Path(data), port=port)
        app = create_app(settings)
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            if not thread.is_alive():
                raise SystemExit("the service did not start")
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        try:
            secret = await _link(app.state.engine)
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(
                    executable_path=require_chromium(), args=CHROMIUM_ARGS
                )
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
                await phone.goto(base + member)
                await phone.screenshot(path=out / "member-phone.png")
                await browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=30)
    for picture in sorted(out.glob("*.png")):
        print(picture.relative_to(ROOT) if picture.is_relative_to(ROOT) else picture)


def main() -> None:
    """Parse the arguments and take the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    asyncio.run(shoot(parser.parse_args().out))


if __name__ == "__main__":
    main()
