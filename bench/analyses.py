"""The analyses after a write, full reload against the live projection, at several sizes.

Each size runs in a fresh process with a fresh embedded engine: the seeded synthetic network
(graph_service.analysis.synthetic) is loaded as the demo network is, then, in the same run:

- "full": the report (isolation report and network summary) after a write that the live
  projection cannot apply, so it loads the whole graph again: what every report after a write
  cost before the live network (issue #14), and what the fallback still costs.
- "after write": the report after one write made through the services as a request makes it
  (one transaction, its change recorded and published): the change is applied in place. The
  writes alternate between ending a tie, adding a supporter and recording help; median and
  worst of ``--writes`` of them. "full" and "after write" time the analyses themselves (the
  projection brought up to date, the isolation report and the summary); "audited" is the
  same report through the service calls, which also append the coordinator's read to the
  audit trail and wait for that write to commit (two appends, whatever the network's size).
- "register": the same report after a register taken for a new WRAP class today with five
  members on it (median / worst of five). A session held changes the run of its kind, so every
  member who comes to WRAP classes is judged again for STOPPED_ATTENDING: the demo's one WRAP
  class a week has a sixth of the network on its registers, far more than a real one would.
- "event": from a write's commit (its change published) to a watcher of the isolation report
  (what a subscription or the dashboard's stream waits on) being told, for writes that change
  someone's reasons; median and worst. The GraphQL layer adds its member read and the socket.

    .venv/bin/python bench/analyses.py [--sizes 350,10000,100000] [--writes 20] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from datetime import time as clock
from pathlib import Path
from typing import Any

from graph_service.analysis import Projection
from graph_service.analysis.live import IsolationChange, IsolationKey
from graph_service.analysis.projection import ACTIVE, MEMBER, SUPPORTED_BY
from graph_service.auth import Principal, Role
from graph_service.domain import HelpKind, Relation
from graph_service.domain_programme import NewSession
from graph_service.engine import EmbeddedEngine
from graph_service.services import Services
from graph_service.services.change_log import ChangeLog
from graph_service.store import Store
from graph_service.store.migrations import apply_constraints
from loaders.demo import load_demo

# size: (report after one write ms, event to subscriber ms); RSS below RSS_TARGET_MB.
TARGETS = {350: (5, 50), 100_000: (100, 200)}
RSS_TARGET_MB = 1_536
WHO = Principal(Role.COORDINATOR, subject="bench")
KEY = IsolationKey(2, 3, frozenset({ACTIVE}), date.today())  # the API's default report


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _candidates(g: Projection, count: int) -> tuple[list[str], list[str], list[str]]:
    """Active ties to end, members with none to add one to, and members to record help between."""
    ties: list[str] = []
    alone: list[str] = []
    members: list[str] = []
    for node, data in g.nodes(data=True):
        if data["kind"] != MEMBER or data["status"] != ACTIVE or not isinstance(node, str):
            continue
        members.append(node)
        active = [
            key
            for _, _, key, e in g.out_edges(node, keys=True, data=True)
            if e["type"] == SUPPORTED_BY and e["status"] == ACTIVE
        ]
        if active and len(ties) < count:
            ties.append(str(active[0]))
        elif not active and not any(True for _ in g.successors(node)) and len(alone) < count:
            alone.append(node)
    return ties, alone, members[: count * 2]


async def _report(services: Services) -> float:
    """The report as the API serves it, audited."""
    started = time.perf_counter()
    await services.analyses.isolation(WHO)
    await services.analyses.summary(WHO)
    return time.perf_counter() - started


async def _analyses(services: Services) -> float:
    """The same report without the audit trail's write: the projection and the analyses."""
    live = services.analyses.live
    started = time.perf_counter()
    await live.graph()
    (await live.isolation(KEY)).report()
    (await live.summary()).summary()
    return time.perf_counter() - started


async def _write(services: Services, n: int, ties: list[str], pairs: list[str]) -> None:
    """One write of three kinds in turn, as a request makes it."""
    kind = n % 3
    if kind == 0 and ties:
        await services.atomically(lambda: services.circles.end(WHO, ties.pop()))
    elif kind == 1:
        member = pairs[n % len(pairs)]
        await services.atomically(
            lambda: services.circles.add_supporter(
                WHO, member, Relation.FRIEND, person_name=f"Bench {n}"
            )
        )
    else:
        a, b = pairs[n % len(pairs)], pairs[(n + 1) % len(pairs)]
        await services.atomically(
            lambda: services.help.record(WHO, a, b, date.today(), HelpKind.LISTENING)
        )


async def _registers(services: Services, pairs: list[str], count: int) -> list[float]:
    """The report after each of ``count`` registers taken for new sessions today."""
    timings = []
    for n in range(count):
        new = NewSession("WRAP class", date.today(), clock(8 + n), 60, "Bench Hall")
        made = await services.atomically(lambda new=new: services.programme.create(WHO, new))  # type: ignore[misc]
        assert made.value is not None, made.errors
        came = pairs[n * 5 : n * 5 + 5]
        taken = await services.atomically(
            lambda session=made.value.id, came=came: services.attendance.take(WHO, session, came)  # type: ignore[misc]
        )
        assert not taken.errors, taken.errors
        timings.append(await _analyses(services))
    return timings


async def _event_latencies(services: Services, alone: list[str]) -> list[float]:
    """Commit to watcher, for writes that take a member's NO_SUPPORTERS away."""
    store = services.store
    committed: dict[str, float] = {}
    told: dict[str, float] = {}

    def on_change(change: Any) -> None:
        for member in change.members:
            committed.setdefault(member, time.perf_counter())

    def on_isolation(changes: list[IsolationChange]) -> None:
        for found in changes:
            told.setdefault(found.member_id, time.perf_counter())

    store.changes.listen(on_change)
    stop = await services.analyses.watch_isolation(WHO, on_isolation)
    follower = asyncio.create_task(services.analyses.live.follow())
    try:
        for n, member in enumerate(alone):
            await services.atomically(
                lambda member=member, n=n: services.circles.add_supporter(  # type: ignore[misc]
                    WHO, member, Relation.FAMILY, person_name=f"Event {n}"
                )
            )
            for _ in range(2000):
                if member in told:
                    break
                await asyncio.sleep(0.0005)
    finally:
        stop()
        follower.cancel()
    return [told[m] - committed[m] for m in alone if m in told and m in committed]


async def measure(size: int, seed: int, writes: int) -> dict[str, Any]:
    """One size, measured in this process."""
    with tempfile.TemporaryDirectory() as tmp, EmbeddedEngine(Path(tmp)) as engine:
        store = Store.connect(
            engine.bolt_uri, engine.user, engine.password, engine.database, query_timeout=600
        )
        try:
            await apply_constraints(store)
            started = time.perf_counter()
            loaded = await load_demo(store, members=size, seed=seed)
            load_s = time.perf_counter() - started
            services = Services.build(store)
            # As in the service: the change log is read, so the projection stays trusted.
            follower = asyncio.create_task(ChangeLog(store).run())
            first = await _report(services)
            ties, alone, pairs = _candidates(await services.analyses.projection(), writes)
            # The fallback, as every report after a write was before: load whole, recompute.
            store.version += 1  # a write this process could not say anything about
            full = await _analyses(services)
            assert services.analyses.loads == 2
            after, audited = [], []
            for n in range(writes):
                await _write(services, n, ties, pairs)
                after.append(await _analyses(services))
                audited.append(await _report(services))
            assert services.analyses.loads == 2, "every write was applied in place"
            registers = await _registers(services, pairs, 5)
            assert services.analyses.loads == 2, "every register was applied in place"
            events = await _event_latencies(services, alone)
            follower.cancel()
            summary = await services.analyses.summary(WHO)
            return {
                "size": size,
                "rows": loaded.rows,
                "load_s": round(load_s, 1),
                "first_ms": _ms(first),
                "full_ms": _ms(full),
                "after_ms": _ms(statistics.median(after)),
                "after_max_ms": _ms(max(after)),
                "audited_ms": _ms(statistics.median(audited)),
                "register_ms": _ms(statistics.median(registers)),
                "register_max_ms": _ms(max(registers)),
                "event_ms": _ms(statistics.median(events)) if events else None,
                "event_max_ms": _ms(max(events)) if events else None,
                "events": len(events),
                "members": summary.members,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        finally:
            await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="350,10000,100000")
    parser.add_argument("--writes", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(asyncio.run(measure(args.one, args.seed, args.writes))))
        return
    print(f"machine  {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, seed {args.seed}")
    print(
        f"{'members':>8} {'load s':>7} {'full ms':>8} {'after write ms':>15} {'audited':>8} "
        f"{'register ms':>15} {'event ms':>13} {'RSS MB':>7}  targets (after write, event, RSS)"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                str(size),
                "--seed",
                str(args.seed),
                "--writes",
                str(args.writes),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            sys.exit(f"size {size} failed:\n{done.stderr[-3000:]}")
        r = json.loads(done.stdout.strip().splitlines()[-1])
        after = f"{r['after_ms']} / {r['after_max_ms']}"
        event = f"{r['event_ms']} / {r['event_max_ms']}"
        register = f"{r['register_ms']} / {r['register_max_ms']}"
        goal = TARGETS.get(size)
        target = f"<{goal[0]}, <{goal[1]}, <{RSS_TARGET_MB}" if goal else f"RSS<{RSS_TARGET_MB}"
        print(
            f"{r['size']:>8} {r['load_s']:>7} {r['full_ms']:>8} {after:>15} "
            f"{r['audited_ms']:>8} {register:>15} {event:>13} {r['peak_rss_mb']:>7}  {target}"
        )
    print(
        "after write, register and event: median / worst; full: one full reload; "
        "audited: median, with the audit trail's two appends"
    )


if __name__ == "__main__":
    main()
