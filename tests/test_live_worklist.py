"""The dashboard's live worklist: an event stream for signed-in coordinators that says when the
worklist changed, the worklist alone to put in place, and the page as before without script."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from graph_service.auth import Role
from graph_service.ids import from_global_id
from graph_service.store import Store
from tests.conftest import RunningServer, signin_secret
from tests.live_clients import watching

Register = Callable[[str], Awaitable[str]]
Add = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
async def coordinator(server: RunningServer, store: Store) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client with a coordinator's session."""
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        response = await client.get(f"/signin/{await signin_secret(store)}")
        assert response.status_code == 303
        yield client


async def _events(response: httpx.Response) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """(event, data) of a Server-Sent Events stream (comments and retry skipped)."""
    name = ""
    async for line in response.aiter_lines():
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            yield name, json.loads(line.removeprefix("data: "))


async def test_the_stream_says_when_the_worklist_changed(
    server: RunningServer,
    coordinator: httpx.AsyncClient,
    register: Register,
    add_supporter: Add,
) -> None:
    aoife = await register("Aoife")
    async with coordinator.stream("GET", "/worklist/events") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        await watching(server.app)
        await add_supporter(memberId=aoife, relation="FAMILY", person={"displayName": "Mam"})
        stream = _events(response)
        name, data = await anext(stream)
        # Only that something changed: names and ids stay out of the stream.
        assert (name, data) == ("worklist", {"changed": 1})
    part = await coordinator.get("/worklist/part")
    assert part.status_code == 200 and 'id="worklist-body"' in part.text
    assert "Aoife" in part.text and "<html" not in part.text


async def test_the_stream_says_goodbye_when_the_server_stops(
    server: RunningServer, coordinator: httpx.AsyncClient
) -> None:
    async with coordinator.stream("GET", "/worklist/events?status=ALL") as response:
        await watching(server.app)
        server.app.state.streams.close()  # type: ignore[attr-defined]  # what SIGTERM does
        assert await anext(_events(response)) == ("bye", {"reason": "the server is stopping"})


@pytest.mark.parametrize("path", ["/worklist/events", "/worklist/part"])
@pytest.mark.parametrize("who", ["nobody", "member"])
async def test_only_coordinators_get_the_live_worklist(
    server: RunningServer, store: Store, register: Register, path: str, who: str
) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        if who == "member":
            member = await register("Aoife")
            secret = await signin_secret(
                store, Role.MEMBER, member_id=from_global_id(member, "Member")
            )
            await client.get(f"/signin/{secret}")
        response = await client.get(path)
    assert response.status_code == (401 if who == "nobody" else 403)
    assert "text/html" in response.headers["content-type"]


async def test_the_page_loads_its_script_and_works_without_it(
    coordinator: httpx.AsyncClient, register: Register
) -> None:
    await register("Aoife")
    page = await coordinator.get("/")
    assert '<script src="/static/live.js" defer></script>' in page.text
    assert 'id="worklist-body"' in page.text and "Aoife" in page.text
    assert "connect-src 'self'" in page.headers["content-security-policy"]
    script = await coordinator.get("/static/live.js")
    assert script.status_code == 200 and "EventSource" in script.text
