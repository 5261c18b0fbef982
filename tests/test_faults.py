"""Faults: the embedded engine killed under writers, a graph that cannot be reached at all.

While the graph is down every request is answered within a second (503 GRAPH_UNAVAILABLE or
success), the service recovers by itself, and writes retried with their idempotency key are
never doubled.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from graph_service.auth import Role
from graph_service.engine import EmbeddedEngine
from graph_service.settings import Settings
from tests.conftest import REGISTER, SECRET, running, serving, token_for

COORDINATOR = {"Authorization": f"Bearer {token_for(Role.COORDINATOR)}"}
ANSWER_WITHIN = 1.0  # what the issue asks of every request while the graph is down
RECOVER_WITHIN = 10.0
COUNT_NAMED = "query($q: String!) { members(search: $q, first: 50) { totalCount } }"


@dataclass
class Writes:
    """What the writers saw."""

    acknowledged: dict[str, str] = field(default_factory=dict)  # name -> member id
    failed: dict[str, str] = field(default_factory=dict)  # name -> idempotency key
    slowest_during_outage: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _register(
    client: httpx.AsyncClient, name: str, key: str, seconds: float = 5.0
) -> httpx.Response:
    return await client.post(
        "/graphql",
        json={"query": REGISTER, "variables": {"name": name}},
        headers={**COORDINATOR, "Idempotency-Key": key},
        timeout=seconds,
    )


async def _writer(
    client: httpx.AsyncClient, writer: int, writes: Writes, outage: asyncio.Event, stop: float
) -> None:
    n = 0
    while time.monotonic() < stop:
        n += 1
        name = f"Fault writer {writer} number {n} {uuid.uuid4().hex[:6]}"
        key = uuid.uuid4().hex
        started = time.monotonic()
        try:
            response = await _register(client, name, key, seconds=ANSWER_WITHIN * 3)
        except httpx.TimeoutException:
            writes.failed[name] = key
            writes.statuses[0] = writes.statuses.get(0, 0) + 1
            if outage.is_set():
                writes.slowest_during_outage = max(writes.slowest_during_outage, 99.0)
            continue
        took = time.monotonic() - started
        writes.statuses[response.status_code] = writes.statuses.get(response.status_code, 0) + 1
        if outage.is_set():
            writes.slowest_during_outage = max(writes.slowest_during_outage, took)
        if response.status_code == 200:
            member = response.json()["data"]["registerMember"]["member"]
            writes.acknowledged[name] = member["id"]
        else:
            assert response.status_code == 503, response.text
            body = response.json()
            assert body["errors"][0]["extensions"]["code"] == "GRAPH_UNAVAILABLE"
            assert response.headers["retry-after"]
            writes.failed[name] = key
            await asyncio.sleep(0.05)


async def _count(client: httpx.AsyncClient, name: str) -> int:
    response = await client.post(
        "/graphql",
        json={"query": COUNT_NAMED, "variables": {"q": name}},
        headers=COORDINATOR,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return int(response.json()["data"]["members"]["totalCount"])


@pytest.mark.slow
async def test_engine_killed_under_writers(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(
        graph_uri="", env="production", rate_limit_per_minute=0, ip_rate_limit_per_minute=0
    )
    with running(settings) as server:
        engine = server.app.state.engine  # type: ignore[attr-defined]
        store = server.app.state.store  # type: ignore[attr-defined]
        writes = Writes()
        outage = asyncio.Event()
        async with httpx.AsyncClient(base_url=server.url) as client:
            stop = time.monotonic() + 12
            writers = [
                asyncio.create_task(_writer(client, w, writes, outage, stop)) for w in range(4)
            ]
            await asyncio.sleep(1.5)
            before = len(writes.acknowledged)
            pid = engine._process.pid
            os.kill(pid, signal.SIGKILL)
            killed = time.monotonic()
            outage.set()
            # The service notices, restarts its engine and serves again by itself.
            while not (store.health.available and engine.running and engine._process.pid != pid):
                assert time.monotonic() - killed < RECOVER_WITHIN, "no recovery in time"
                await asyncio.sleep(0.05)
            while (await client.get("/readyz")).status_code != 200:
                assert time.monotonic() - killed < RECOVER_WITHIN, "not ready in time"
                await asyncio.sleep(0.05)
            recovered = time.monotonic() - killed
            outage.clear()
            await asyncio.gather(*writers)
            # The dead engine was reaped: no zombie is left behind.
            with pytest.raises(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)  # noqa: ASYNC222 - WNOHANG does not block

            assert before > 0, "the writers wrote nothing before the kill"
            assert writes.statuses.get(503, 0) > 0, f"no request saw the outage: {writes}"
            assert writes.slowest_during_outage <= ANSWER_WITHIN, writes
            assert recovered < RECOVER_WITHIN
            # Every acknowledged write is there, once.
            for name in writes.acknowledged:
                assert await _count(client, name) == 1, name
            # A write reported failed, retried with its key, is there exactly once.
            for name, key in writes.failed.items():
                response = await _register(client, name, key)
                assert response.status_code == 200, response.text
                assert await _count(client, name) == 1, name
                again = await _register(client, name, key)
                assert again.headers["idempotent-replayed"] == "true"
                assert again.json() == response.json()


async def test_remote_graph_down_then_back(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    # A graph server this service does not run (as Neo4j in production): it goes away, then
    # comes back on the same address. Fast 503s meanwhile, recovery without a restart.
    with EmbeddedEngine(tmp_path / "remote") as remote:
        settings = make_settings(
            graph_uri=remote.bolt_uri,
            graph_user=remote.user,
            graph_password=remote.password,
            graph_database=remote.database,
            health_grace_seconds=0.5,
        )
        with running(settings) as server:
            async with httpx.AsyncClient(base_url=server.url) as client:
                assert (await _register(client, "Before", uuid.uuid4().hex)).status_code == 200
                os.kill(remote._process.pid, signal.SIGKILL)
                remote.wait()
                for _ in range(5):
                    started = time.monotonic()
                    response = await _register(client, "During", uuid.uuid4().hex)
                    assert time.monotonic() - started < ANSWER_WITHIN
                    assert response.status_code == 503, response.text
                    assert response.headers["retry-after"]
                    error = response.json()["errors"][0]
                    assert error["extensions"]["code"] == "GRAPH_UNAVAILABLE"
                    assert error["extensions"]["requestId"]
                    started = time.monotonic()
                    query = await client.post(
                        "/graphql",
                        json={"query": "{ members { totalCount } }"},
                        headers=COORDINATOR,
                    )
                    assert time.monotonic() - started < ANSWER_WITHIN
                    assert query.status_code == 503, query.text
                assert (await client.get("/readyz")).status_code == 503
                # Past the grace period the process says it cannot serve, to be restarted.
                await asyncio.sleep(0.6)
                health = await client.get("/healthz")
                assert health.status_code == 503
                assert "unreachable" in health.json()["reason"]
                # The server comes back: the service serves again by itself.
                remote.restart()
                back = time.monotonic()
                while (await _register(client, "After", uuid.uuid4().hex)).status_code != 200:
                    assert time.monotonic() - back < RECOVER_WITHIN, "no recovery in time"
                    await asyncio.sleep(0.1)
                assert (await client.get("/healthz")).status_code == 200


def _serve_process(tmp_path: Path, port: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"GRAPH_URI", "ENV", "AUTH_SECRET"}}
    env.update(
        DATA_DIR=str(tmp_path / "data"),
        ENV="production",
        AUTH_SECRET=SECRET,
        RATE_LIMIT_PER_MINUTE="0",
        IP_RATE_LIMIT_PER_MINUTE="0",
    )
    return serving([], env, port)


async def _until_refused(url: str, writer: int, acknowledged: dict[str, str]) -> set[int]:
    # Writes until the service stops answering; what it answered on the way.
    statuses: set[int] = set()
    async with httpx.AsyncClient(base_url=url) as client:
        for n in range(10_000):
            name = f"Term writer {writer} number {n} {uuid.uuid4().hex[:6]}"
            try:
                response = await _register(client, name, uuid.uuid4().hex)
            except httpx.TransportError:
                return statuses
            statuses.add(response.status_code)
            if response.status_code == 200:
                acknowledged[name] = response.json()["data"]["registerMember"]["member"]["id"]
    return statuses


@pytest.mark.slow
async def test_sigterm_under_load_loses_no_acknowledged_write(tmp_path: Path) -> None:
    port = _closed_port()
    url = f"http://127.0.0.1:{port}"
    process = _serve_process(tmp_path, port)
    acknowledged: dict[str, str] = {}
    try:
        writers = [asyncio.create_task(_until_refused(url, w, acknowledged)) for w in range(4)]
        await asyncio.sleep(2.0)
        process.send_signal(signal.SIGTERM)
        statuses = set().union(*await asyncio.gather(*writers))
        assert await asyncio.to_thread(process.wait, 60) in (0, -signal.SIGTERM)
    finally:
        if process.poll() is None:
            process.kill()
    # Requests in flight were finished or refused cleanly: no error answers.
    assert statuses <= {200, 503}, statuses
    assert acknowledged
    process = _serve_process(tmp_path, port)
    try:
        async with httpx.AsyncClient(base_url=url) as client:
            for name in acknowledged:
                assert await _count(client, name) == 1, name
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)
