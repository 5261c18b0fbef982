"""What the GraphQL layer costs over the raw Bolt query for the same one-hop read.

Starts an embedded engine in a temporary folder, seeds it through the services, serves the real
app with uvicorn on loopback (in this process, so client and server share its GIL), then times a
member's circle read as the store's CIRCLES Cypher on the neo4j driver and as a GraphQL request
over HTTP, sequentially and concurrently. Every response is checked: errors end the run.

    .venv/bin/python bench/overhead.py [--requests N] [--concurrency C]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import os
import platform
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import neo4j
import uvicorn

from graph_service.app import create_app
from graph_service.auth import Principal, Role, issue_token
from graph_service.domain import Relation
from graph_service.engine import EmbeddedEngine
from graph_service.ids import to_global_id
from graph_service.services import Services
from graph_service.settings import load_settings
from graph_service.store import Store
from graph_service.store.circles import CIRCLES
from graph_service.store.migrations import apply_constraints

SECRET = "bench-" + "s" * 40
WARMUP = 50
CIRCLE_SIZE = 5
OTHER_MEMBERS = 50
STATUSES = ["INVITED", "ACTIVE"]
QUERY = """query($id: ID!) { member(id: $id) { circle { relation reciprocal supporter {
  __typename ... on Person { displayName } ... on Member { displayName } } } } }"""

Request = Callable[[int], Awaitable[None]]  # one request, by the worker with this index
Row = tuple[str, float, float, float]  # name, median ms, p95 ms, requests/s


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise RuntimeError(message)


async def seed(engine: EmbeddedEngine, others: int) -> str:
    """Constraints, one member with a full circle and some other members; the member's id."""
    store = Store.connect(engine.bolt_uri, engine.user, engine.password, engine.database)
    try:
        await apply_constraints(store)
        services, boss = Services.build(store), Principal(Role.COORDINATOR)
        ids = []
        for i in range(others + 1):
            made = await services.members.register(boss, f"Member {i:03d}", None)
            _check(made.value is not None, f"register failed: {made.errors}")
            assert made.value is not None
            ids.append(made.value.id)
        member, supporters = ids[0], [{"person_name": f"Person {i}"} for i in range(3)]
        supporters += [{"supporter_member_id": ids[1]}, {"supporter_member_id": ids[2]}]
        for kwargs in supporters:
            tie = await services.circles.add_supporter(boss, member, Relation.FRIEND, **kwargs)
            _check(tie.value is not None, f"add_supporter failed: {tie.errors}")
        return member
    finally:
        await store.close()


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve the app with uvicorn in a thread on a free loopback port; yields its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not server.started:
            _check(thread.is_alive(), "the server stopped while starting (see errors above)")
            _check(time.monotonic() < deadline, "the server did not start within 60 s")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        if thread.is_alive():
            print("warning: the server thread did not stop within 30 s", file=sys.stderr)


async def measure(request: Request, total: int, workers: int) -> tuple[list[float], float]:
    """Latencies (s) of `total` requests spread over `workers`, and the wall time."""
    latencies: list[float] = []

    async def worker(index: int, count: int) -> None:
        for _ in range(count):
            started = time.perf_counter()
            await request(index)
            latencies.append(time.perf_counter() - started)

    counts = [total // workers + (i < total % workers) for i in range(workers)]
    started = time.perf_counter()
    await asyncio.gather(*(worker(i, n) for i, n in enumerate(counts)))
    return latencies, time.perf_counter() - started


def row(name: str, latencies: list[float], wall: float) -> Row:
    """One line of the table."""
    p95 = statistics.quantiles(latencies, n=100, method="inclusive")[94]
    return name, statistics.median(latencies) * 1e3, p95 * 1e3, len(latencies) / wall


async def bench(
    engine: EmbeddedEngine, app: Any, url: str, member: str, n: int, c: int
) -> tuple[str, int, dict[str, Row]]:
    """The server agent, statements per GraphQL request, and the table rows."""
    results: dict[str, Row] = {}
    async with AsyncExitStack() as stack:
        driver = neo4j.AsyncGraphDatabase.driver(
            engine.bolt_uri, auth=(engine.user, engine.password)
        )
        stack.push_async_callback(driver.close)
        agent = str((await driver.get_server_info()).agent)
        headers = {"Authorization": f"Bearer {issue_token(SECRET, Role.COORDINATOR)}"}
        clients = [
            await stack.enter_async_context(httpx.AsyncClient(base_url=url, headers=headers))
            for _ in range(c)
        ]
        body = {"query": QUERY, "variables": {"id": to_global_id("Member", member)}}

        async def raw(_: int) -> None:
            found = await driver.execute_query(
                CIRCLES, ids=[member], statuses=STATUSES, database_=engine.database, routing_="r"
            )
            _check(len(found.records) == CIRCLE_SIZE, f"raw read gave {len(found.records)} rows")

        async def graphql(worker: int) -> None:
            response = await clients[worker].post("/graphql", json=body)
            _check(response.status_code == 200, f"HTTP {response.status_code}: {response.text}")
            data = response.json()
            _check("errors" not in data, f"GraphQL errors: {data.get('errors')}")
            circle = ((data.get("data") or {}).get("member") or {}).get("circle") or []
            _check(len(circle) == CIRCLE_SIZE, f"GraphQL gave {len(circle)} circle entries")

        before = app.state.store.statements
        await graphql(0)
        statements = int(app.state.store.statements - before)
        for name, request in (("raw", raw), ("graphql", graphql)):
            await measure(request, WARMUP, c)  # also opens every worker's connection
            results[f"{name} seq"] = row(f"{name} sequential", *await measure(request, n, 1))
            results[f"{name} conc"] = row(f"{name} concurrent ({c})", *await measure(request, n, c))
    return agent, statements, results


def report(agent: str, statements: int, results: dict[str, Row], n: int) -> None:
    """Print the machine, the table and the ratios."""
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal:"))
    print(f"date     {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"machine  {os.cpu_count()} CPUs, {mem_kb / 2**20:.1f} GiB RAM, "
        f"Python {platform.python_version()}, server {agent}"
    )
    print(f"\n{'':24} {'requests':>8} {'median ms':>10} {'p95 ms':>8} {'req/s':>8}")
    for name, median, p95, rate in results.values():
        print(f"{name:24} {n:>8} {median:>10.2f} {p95:>8.2f} {rate:>8.0f}")
    print()
    for mode, label in (("seq", "sequential"), ("conc", "concurrent")):
        ratio = results[f"graphql {mode}"][1] / results[f"raw {mode}"][1]
        rate = results[f"graphql {mode}"][3] / results[f"raw {mode}"][3]
        print(f"GraphQL/raw {label:10}  median x{ratio:.2f}  throughput x{rate:.2f}")
    print(f"Cypher statements per GraphQL request: {statements} (raw: 1, the circle read)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=500, help="timed requests per mode")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent workers")
    args = parser.parse_args()
    if args.requests < 2 or args.concurrency < 1:
        parser.error("need --requests >= 2 and --concurrency >= 1")
    logging.basicConfig(level=logging.WARNING, force=True)  # no request logs
    with tempfile.TemporaryDirectory(prefix="graph-bench-") as tmp:
        engine = EmbeddedEngine(Path(tmp) / "graph")
        try:
            engine.start()
            member = asyncio.run(seed(engine, OTHER_MEMBERS))
            settings = load_settings(
                graph_uri=engine.bolt_uri,
                graph_user=engine.user,
                graph_password=engine.password,
                graph_database=engine.database,
                data_dir=Path(tmp) / "svc",
                auth_secret=SECRET,
                # One client sends >1,000 requests a minute here: measure, do not throttle.
                rate_limit_per_minute=0,
                ip_rate_limit_per_minute=0,
            )
            app = create_app(settings)
            with serving(app) as url:
                measured = asyncio.run(
                    bench(engine, app, url, member, args.requests, args.concurrency)
                )
            report(*measured, args.requests)
        except Exception as exc:
            print(f"bench/overhead.py failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
        finally:
            engine.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
