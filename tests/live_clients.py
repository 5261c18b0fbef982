"""Clients for the live streams in tests: graphql-transport-ws over a real WebSocket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

PROTOCOL = "graphql-transport-ws"
ISOLATION_CHANGED = """
subscription($min: Int!) {
  isolationChanged(minSupporters: $min) {
    memberId isolated reasons previousReasons activeSupporters member { displayName }
  }
}
"""


class Socket:
    """One graphql-transport-ws connection."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def send(self, message: dict[str, Any]) -> None:
        """Send one protocol message."""
        await self.ws.send(json.dumps(message))

    async def receive(self, seconds: float = 10) -> dict[str, Any]:
        """The next protocol message (pings answered on the way)."""
        while True:
            message: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), seconds))
            if message["type"] == "ping":
                await self.send({"type": "pong"})
                continue
            return message

    async def init(self, authorization: str | None) -> dict[str, Any]:
        """connection_init with this Authorization (None: no payload); the answer."""
        payload = {"Authorization": authorization} if authorization else {}
        await self.send({"type": "connection_init", "payload": payload})
        return await self.receive()

    async def subscribe(self, id_: str, query: str, **variables: object) -> None:
        """Start an operation."""
        await self.send(
            {"id": id_, "type": "subscribe", "payload": {"query": query, "variables": variables}}
        )

    async def close_code(self, seconds: float = 10) -> int | None:
        """Wait for the server to close the socket; its close code."""
        try:
            while True:
                await asyncio.wait_for(self.ws.recv(), seconds)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None


@asynccontextmanager
async def socket(base_url: str, headers: dict[str, str] | None = None) -> AsyncIterator[Socket]:
    """A WebSocket to /graphql speaking graphql-transport-ws."""
    url = base_url.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=[PROTOCOL], additional_headers=headers or {}) as ws:  # type: ignore[list-item]
        yield Socket(ws)


def bearer(token: str) -> str:
    """An Authorization value for a token."""
    return f"Bearer {token}"


async def watching(app: Any, count: int = 1) -> None:
    """Wait until a served app's live projection has ``count`` watchers (streams started)."""
    live = app.state.services.analyses.live
    for _ in range(500):
        if sum(len(w) for w in live._watchers.values()) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the stream never started watching")
