"""Browser tests: Debian's chromium driven by Playwright's async API, axe-core, a CSP watcher.

Style: browser tests are ``async def`` tests using Playwright's *async* API on the suite's
session event loop, while the app runs in its uvicorn thread (the ``server`` fixture)::

    from playwright.async_api import Page, expect

    from tests.browser import axe_check

    async def test_home(server: RunningServer, page: Page) -> None:
        await page.goto(server.url + "/")
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        await axe_check(page)

Playwright's *sync* API is not usable in this suite: between its calls it leaves its own
event loop marked as running in the main thread, so once a long-lived sync Playwright has
started, every later async test or async fixture (``store``, hence ``server``) fails with
"Runner.run() cannot be called from a running event loop".

Pages keep the page's Content-Security-Policy enforced (no ``bypass_csp``): axe is injected
with ``page.evaluate``, which CSP does not govern, and every violation the browser reports
fails the test (see :class:`CspWatcher`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio
from axe_playwright_python.base import AXE_FILE_PATH
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    async_playwright,
    expect,
)
from playwright.async_api import Error as PlaywrightError

CHROMIUM_INSTALL = (
    "apt-get update && apt-get install -y --no-install-recommends chromium fonts-dejavu-core"
)
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000  # actions, navigations and expect(): a broken page fails fast
LAUNCH_TIMEOUT_MS = 30_000
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_SCRIPT = AXE_FILE_PATH.read_text(encoding="utf-8")  # axe-core bundled with axe-playwright


def find_chromium() -> str | None:
    """The chromium to drive: $CHROMIUM, else `chromium` on PATH, else Debian's path."""
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def require_chromium() -> str:
    """The chromium to drive; fails the test (never skips) with the install command if none."""
    executable = find_chromium()
    if executable is None:
        pytest.fail(
            "chromium not found; the browser tests need Debian's chromium. Install it with\n"
            f"    {CHROMIUM_INSTALL}\n"
            "(as root; `make test` does it via `make browser`), or set CHROMIUM=/path/to/chromium",
            pytrace=False,
        )
    return executable


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    """One headless chromium for the session (async API, on the session loop).

    Fails (never skips) when chromium is missing: `make test` installs it (`make browser`).
    """
    executable = require_chromium()
    expect.set_options(timeout=TIMEOUT_MS)
    async with async_playwright() as playwright:
        try:
            chromium = await playwright.chromium.launch(
                executable_path=executable,
                headless=True,
                args=CHROMIUM_ARGS,
                timeout=LAUNCH_TIMEOUT_MS,
            )
        except PlaywrightError as error:
            pytest.fail(f"chromium ({executable}) did not start: {error}", pytrace=False)
        try:
            yield chromium
        finally:
            await chromium.close()


@dataclass
class CspWatcher:
    """Collects the Content-Security-Policy violations chromium reports in watched contexts.

    Chromium reports each blocked script, style, frame, connection, ... (and each
    report-only violation) as a console error mentioning "Content Security Policy".
    The page fixtures fail the test at teardown when any were collected; a test that
    provokes violations on purpose consumes them with :meth:`take`.
    """

    violations: list[str] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> None:
        """Record the violations of every page in this context."""
        context.on("console", self._on_console)

    def _on_console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            where = message.location.get("url") or (message.page.url if message.page else "?")
            self.violations.append(f"{message.text}  [{where}]")

    async def settle(self, page: Page) -> None:
        """Let the reports of what the page did so far arrive (one round trip)."""
        await page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 0))")

    async def take(self, page: Page | None = None) -> list[str]:
        """The violations so far (after settling ``page``), and forget them."""
        if page is not None:
            await self.settle(page)
        taken, self.violations = self.violations, []
        return taken

    async def check(self, page: Page | None = None) -> None:
        """Fail the test if any violation was reported (after settling ``page``)."""
        if page is not None:
            await self.settle(page)
        if self.violations:
            pytest.fail(self.report(), pytrace=False)

    def report(self) -> str:
        """The violations, one per line."""
        lines = [f"{len(self.violations)} Content-Security-Policy violation(s):"]
        lines += [f"  - {violation}" for violation in self.violations]
        return "\n".join(lines)


@pytest.fixture
def csp() -> CspWatcher:
    """The CSP watcher of this test's pages (`page`, `desktop_page`, `new_page`)."""
    return CspWatcher()


NewPage = Callable[..., Awaitable[Page]]


@pytest_asyncio.fixture(loop_scope="session")
async def new_page(browser: Browser, csp: CspWatcher) -> AsyncIterator[NewPage]:
    """Open pages in fresh contexts: ``await new_page(width=360, height=740, **context_opts)``.

    Each call makes a new browser context (own cookies, e.g. a second signed-in user);
    keyword arguments go to ``browser.new_context`` (``base_url=server.url``, ``locale``,
    ...). CSP stays enforced; timeouts are 10 s. The contexts are closed after the test,
    then any CSP violation they reported fails it.
    """
    contexts: list[BrowserContext] = []

    async def open_page(
        width: int = PHONE["width"], height: int = PHONE["height"], **options: Any
    ) -> Page:
        context = await browser.new_context(viewport={"width": width, "height": height}, **options)
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        csp.watch(context)
        return await context.new_page()

    yield open_page
    for context in contexts:
        await context.close()  # also delivers the console messages still on their way
    if csp.violations:
        pytest.fail(csp.report(), pytrace=False)


@pytest_asyncio.fixture(loop_scope="session")
async def page(new_page: NewPage) -> Page:
    """A phone-sized page (360 x 740) in a fresh context; async API; CSP violations fail."""
    return await new_page(**PHONE)


@pytest_asyncio.fixture(loop_scope="session")
async def desktop_page(new_page: NewPage) -> Page:
    """A desktop-sized page (1280 x 800) in a fresh context; async API; CSP violations fail."""
    return await new_page(**DESKTOP)


async def axe_results(
    page: Page, *, exclude: Sequence[str] = (), disable: Sequence[str] = ()
) -> dict[str, Any]:
    """axe-core's raw results for the WCAG 2.0/2.1/2.2 A and AA rules on the current page.

    axe is injected with ``page.evaluate`` (not a script tag), so the page's CSP applies
    neither to it nor is loosened for it.
    """
    # After a click the page may still be loading its stylesheet: judged unstyled, every
    # link would be too small a target.
    await page.wait_for_load_state("load")
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        await page.evaluate(AXE_SCRIPT)
    options = {
        "runOnly": {"type": "tag", "values": AXE_TAGS},
        "resultTypes": ["violations"],
        "rules": {rule: {"enabled": False} for rule in disable},
    }
    context = {"include": [["html"]], "exclude": [[selector] for selector in exclude]}
    results: dict[str, Any] = await page.evaluate(
        "([context, options]) => axe.run(context, options)", [context, options]
    )
    return results


async def axe_check(
    page: Page, *, exclude: Sequence[str] = (), disable: Sequence[str] = ()
) -> None:
    """Fail the test when axe finds WCAG 2.0/2.1/2.2 A or AA violations on the current page.

    ``exclude``: CSS selectors of regions not to check; ``disable``: axe rule ids to skip
    (say why next to the call).
    """
    results = await axe_results(page, exclude=exclude, disable=disable)
    violations = results["violations"]
    if violations:
        raise AssertionError(axe_report(page.url, violations))


async def fits_the_screen(page: Page) -> None:
    """Nothing makes the page scroll sideways (tables scroll inside their own box)."""
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert page.viewport_size is not None
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"


async def checked(page: Page) -> None:
    """axe finds nothing, and nothing makes the page scroll sideways at the phone's width."""
    await axe_check(page)
    await fits_the_screen(page)


def axe_report(url: str, violations: list[dict[str, Any]]) -> str:
    """A readable list of axe violations: rule, impact, help, and each offending node."""
    lines = [f"axe: {len(violations)} WCAG A/AA violation(s) on {url}"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact') or 'n/a'}): {violation['help']}"
            f"  <{violation.get('helpUrl', '')}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node.get("target", []))
            lines.append(f"    at {target}: {' '.join(node.get('html', '').split())}")
            summary = (node.get("failureSummary") or "").strip()
            lines += [f"        {line.strip()}" for line in summary.splitlines() if line.strip()]
    return "\n".join(lines)


__all__ = [
    "AXE_TAGS",
    "CHROMIUM_INSTALL",
    "CspWatcher",
    "NewPage",
    "axe_check",
    "axe_report",
    "axe_results",
    "browser",
    "csp",
    "desktop_page",
    "find_chromium",
    "new_page",
    "page",
    "require_chromium",
]
