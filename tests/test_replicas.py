"""Two `graph-service serve` processes on one graph: a write on one reaches a subscriber on the
other through the change log, and a stopping server completes its subscriptions first."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph_service.auth import Role
from tests.conftest import SECRET, GraphServer, _free_port, serving, token_for
from tests.live_clients import ISOLATION_CHANGED, Socket, bearer, socket

REGISTER = "mutation($n: String!) { registerMember(input: {displayName: $n}) { member { id } } }"
ADD = """
mutation($m: ID!, $n: String!) {
  addSupporter(input: {memberId: $m, relation: FRIEND, person: {displayName: $n}}) {
    tie { id } userErrors { code }
  }
}
"""
END = "mutation($t: ID!) { endSupport(tieId: $t) { userErrors { code } } }"
HEADERS = {"Authorization": bearer(token_for(Role.COORDINATOR))}


def _env(server: GraphServer, folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"ENV", "GRAPH_DATABASE"}}
    env.update(
        GRAPH_URI=server.uri,
        GRAPH_USER=server.user,
        GRAPH_PASSWORD=server.password,
        AUTH_SECRET=SECRET,
        DATA_DIR=str(folder),
        ENV="production",
        RATE_LIMIT_PER_MINUTE="0",
        IP_RATE_LIMIT_PER_MINUTE="0",
    )
    if server.database:
        env["GRAPH_DATABASE"] = server.database
    return env


@pytest.fixture
def replicas(
    graph_server: GraphServer, tmp_path: Path, store: Any
) -> Iterator[tuple[str, str, subprocess.Popen[str]]]:
    """Two serving processes on the tests' graph (emptied first): their URLs, and the second."""
    started: list[subprocess.Popen[str]] = []
    urls = []
    try:
        for name in ("a", "b"):
            port = _free_port()
            started.append(serving([], _env(graph_server, tmp_path / name), port))
            urls.append(f"http://127.0.0.1:{port}")
        yield urls[0], urls[1], started[1]
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)


def _post(url: str, query: str, **variables: object) -> dict[str, Any]:
    body: dict[str, Any] = httpx.post(
        f"{url}/graphql", json={"query": query, "variables": variables}, headers=HEADERS
    ).json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


async def _told(ws: Socket, member: str, seconds: float) -> dict[str, Any]:
    """The next change about ``member`` (others skipped)."""
    while True:
        message = await ws.receive(seconds)
        assert message["type"] == "next", message
        told: dict[str, Any] = message["payload"]["data"]["isolationChanged"]
        if told["memberId"] == member:
            return told


async def test_a_write_on_one_replica_reaches_a_subscriber_on_the_other(
    replicas: tuple[str, str, subprocess.Popen[str]],
) -> None:
    a, b, b_process = replicas
    warm = _post(a, REGISTER, n="Warm")["registerMember"]["member"]["id"]
    aoife = _post(a, REGISTER, n="Aoife")["registerMember"]["member"]["id"]
    tie = _post(a, ADD, m=aoife, n="Pat")["addSupporter"]["tie"]["id"]
    async with socket(b) as ws:
        assert (await ws.init(HEADERS["Authorization"]))["type"] == "connection_ack"
        await ws.subscribe("1", ISOLATION_CHANGED, min=1)
        # Keep writing on A until B tells of one: then the subscription is surely watching.
        for attempt in range(40):
            await asyncio.to_thread(_post, a, ADD, m=warm, n=f"Friend {attempt}")
            try:
                await _told(ws, warm, 1.0)
                break
            except TimeoutError:
                continue
        else:
            raise AssertionError("replica B never told of a write on replica A")
        # The write to measure: Aoife's last supporter's tie ends on A.
        written = time.monotonic()
        assert (await asyncio.to_thread(_post, a, END, t=tie))["endSupport"]["userErrors"] == []
        told = await _told(ws, aoife, 10)
        arrived = time.monotonic() - written
        assert "NO_SUPPORTERS" in told["reasons"] and told["member"]["displayName"] == "Aoife"
        assert arrived < 2.0, f"the change took {arrived:.2f} s to reach the other replica"
        # B stops: its subscription completes before the socket closes.
        b_process.send_signal(signal.SIGTERM)
        assert await ws.receive(30) == {"id": "1", "type": "complete"}
    assert await asyncio.to_thread(b_process.wait, 60) == 0
