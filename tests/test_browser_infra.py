"""The browser-test foundation itself, on a tiny throwaway site (not the app)."""

from __future__ import annotations

import re
import secrets
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from playwright.async_api import Page, expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from tests import browser as helpers
from tests.browser import CHROMIUM_INSTALL, CspWatcher, NewPage, axe_check, axe_results

# As strict as the app's pages will be: nothing but nonce'd scripts and styles.
CSP = (
    "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
    "img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style nonce="{nonce}">
  body {{ font-family: sans-serif; color: #1a1a1a; background: #fff; margin: 1rem; }}
  .faint {{ color: #c8c8c8; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
{body}
</main>
</body>
</html>
"""

ACCESSIBLE = """
<p id="status">waiting for script</p>
<form method="post" action="/signin">
  <label for="email">Email address</label>
  <input id="email" name="email" type="email" autocomplete="email">
  <button type="submit">Send me a sign-in link</button>
</form>
<script nonce="{nonce}">document.getElementById("status").textContent = "script ran";</script>
"""

INACCESSIBLE = """
<p class="faint">This grey text is too faint to read.</p>
<form method="post" action="/signin">
  <input name="email" type="email">
</form>
"""

VIOLATES_CSP = """
<p id="status">inline script blocked</p>
<script>document.getElementById("status").textContent = "inline script ran";</script>
"""


def _page(request: Request, title: str, body: str) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    html = PAGE.format(title=title, nonce=nonce, body=body.format(nonce=nonce))
    return HTMLResponse(html, headers={"Content-Security-Policy": CSP.format(nonce=nonce)})


SITE = Starlette(
    routes=[
        Route("/ok", lambda r: _page(r, "Sign in", ACCESSIBLE)),
        Route("/inaccessible", lambda r: _page(r, "Sign in", INACCESSIBLE)),
        Route("/csp", lambda r: _page(r, "Blocked", VIOLATES_CSP)),
    ]
)


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """The tiny site, served by uvicorn in a thread (as the `server` fixture serves the app)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(SITE, host="127.0.0.1", port=port, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test site did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


async def test_accessible_page_passes_axe_with_csp_enforced(site: str, page: Page) -> None:
    await page.goto(site + "/ok")
    # The nonce'd script ran: the CSP is in force and the page works under it.
    await expect(page.locator("#status")).to_have_text("script ran")
    await axe_check(page)


async def test_inaccessible_page_fails_axe(site: str, page: Page) -> None:
    await page.goto(site + "/inaccessible")
    with pytest.raises(AssertionError) as failure:
        await axe_check(page)
    report = str(failure.value)
    assert "WCAG A/AA violation" in report
    assert "- label (critical): Form elements must have labels" in report
    assert "- color-contrast (serious):" in report
    assert 'at input: <input name="email" type="email">' in report
    assert 'at p: <p class="faint">This grey text is too faint to read.</p>' in report
    assert "contrast of 1.67 (foreground color: #c8c8c8" in report


async def test_axe_checks_only_wcag_a_and_aa_rules(site: str, page: Page) -> None:
    await page.goto(site + "/inaccessible")
    results = await axe_results(page, disable=["color-contrast"])
    assert [violation["id"] for violation in results["violations"]] == ["label"]
    assert results["toolOptions"]["runOnly"]["values"] == [
        "wcag2a",
        "wcag2aa",
        "wcag21a",
        "wcag21aa",
        "wcag22aa",
    ]
    await axe_check(page, exclude=["form"], disable=["color-contrast"])


async def test_page_is_phone_sized(site: str, page: Page) -> None:
    await page.goto(site + "/ok")
    assert await page.evaluate("() => [window.innerWidth, window.innerHeight]") == [360, 740]


async def test_desktop_page_is_desktop_sized(site: str, desktop_page: Page) -> None:
    await desktop_page.goto(site + "/ok")
    assert await desktop_page.evaluate("() => window.innerWidth") == 1280


async def test_new_page_opens_separate_contexts(site: str, new_page: NewPage) -> None:
    first = await new_page(base_url=site)
    second = await new_page(width=768, height=1024, base_url=site)
    await first.goto("/ok")
    await second.goto("/ok")
    assert first.context is not second.context
    assert await second.evaluate("() => window.innerWidth") == 768


async def test_csp_violation_is_reported(site: str, page: Page, csp: CspWatcher) -> None:
    await page.goto(site + "/csp")
    await expect(page.locator("#status")).to_have_text("inline script blocked")
    violations = await csp.take(page)
    assert len(violations) == 1, violations
    # Chromium's wording varies by version ("Refused to execute inline script because it
    # violates ..." / "Executing inline script violates ..."); the watcher keys on the policy.
    assert "inline script" in violations[0]
    assert "Content Security Policy" in violations[0]
    assert "script-src 'nonce-" in violations[0]
    assert site + "/csp" in violations[0]


async def test_csp_check_fails_the_test(site: str, page: Page, csp: CspWatcher) -> None:
    await page.goto(site + "/csp")
    with pytest.raises(pytest.fail.Exception, match="1 Content-Security-Policy violation"):
        await csp.check(page)
    csp.violations.clear()  # this test provoked it on purpose; the teardown would fail too


def test_missing_chromium_fails_with_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(helpers, "find_chromium", lambda: None)
    with pytest.raises(pytest.fail.Exception, match=re.escape(CHROMIUM_INSTALL)):
        helpers.require_chromium()


def test_chromium_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHROMIUM", "/bin/sh")
    assert helpers.find_chromium() == "/bin/sh"
    monkeypatch.setenv("CHROMIUM", "/nonexistent/chromium")  # not executable: ignored
    assert helpers.find_chromium() != "/nonexistent/chromium"
