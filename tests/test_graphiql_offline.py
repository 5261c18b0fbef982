"""GraphiQL in development loads everything from the service itself: offline, no third party."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
from playwright.async_api import Page, Route, expect

from tests.conftest import RunningServer

_ASSET = re.compile(r'<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"[^>]*>', re.DOTALL)
_INTEGRITY = re.compile(r'\bintegrity="sha384-([^"]+)"')


async def test_graphiql_page_references_no_external_host(http: httpx.AsyncClient) -> None:
    page = await http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert "unpkg.com" not in page.text
    tags = [m.group(0) for m in _ASSET.finditer(page.text)]
    urls = [m.group(1) for m in _ASSET.finditer(page.text)]
    assert len(urls) >= 7, urls
    for url in urls:
        # The favicon is an inline data: URI; everything else is a path on this service.
        assert url.startswith(("/static/graphiql/", "data:")), url
    for tag, url in zip(tags, urls, strict=True):
        if url.startswith("data:"):
            continue
        asset = await http.get(url)
        assert asset.status_code == 200, url
        # The very bytes the CDN served: the page's integrity hash still matches.
        integrity = _INTEGRITY.search(tag)
        assert integrity is not None, tag
        digest = base64.b64encode(hashlib.sha384(asset.content).digest()).decode()
        assert digest == integrity.group(1), url


async def test_graphiql_policy_names_no_external_origin(http: httpx.AsyncClient) -> None:
    page = await http.get("/graphql", headers={"Accept": "text/html"})
    policy = page.headers["content-security-policy"]
    assert "http:" not in policy and "https:" not in policy and "//" not in policy
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    for directive in ("script-src", "style-src", "font-src", "img-src", "connect-src"):
        sources = directives[directive].split()
        allowed = {"'self'", "'unsafe-inline'", "data:"}
        assert all(s in allowed or s.startswith("'sha256-") for s in sources), directive


async def test_graphiql_runs_with_no_network_but_the_service(
    server: RunningServer, desktop_page: Page
) -> None:
    requested: list[str] = []

    async def only_the_service(route: Route) -> None:
        requested.append(route.request.url)
        if route.request.url.startswith(server.url):
            await route.continue_()
        else:
            await route.abort()

    await desktop_page.route("**/*", only_the_service)
    await desktop_page.goto(server.url + "/graphql")
    # The editor renders and the schema loads (introspection through the service itself).
    await expect(desktop_page.locator(".graphiql-query-editor")).to_be_visible()
    await expect(
        desktop_page.get_by_role("button", name="Execute query (Ctrl-Enter)")
    ).to_be_visible()
    assert requested and all(url.startswith(server.url) for url in requested), requested
