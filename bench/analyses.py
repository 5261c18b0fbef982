"""Isolation report and network summary on synthetic networks of 350, 10,000 and 100,000 members.

Each size runs in a fresh process with a fresh embedded engine: the seeded synthetic network
(graph_service.analysis.synthetic) is loaded through the store in UNWIND batches, then the
analysis service times the first report on the fresh engine ("first": the engine's query
paths are not yet compiled), a cold report after a write (bulk reads + projection + analyses,
as every report after a write in a running service) and a warm one (the cached projection);
the process's peak RSS is read after the reports.

    .venv/bin/python bench/analyses.py [--sizes 350,10000,100000] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from graph_service.engine import EmbeddedEngine
from graph_service.ids import new_id
from graph_service.services import Services
from graph_service.services.validation import now_iso
from graph_service.store import Store, bulk
from graph_service.store.migrations import apply_constraints
from loaders.demo import load_demo

TARGETS = {350: (100, 20), 100_000: (10_000, 2_000)}  # size: (cold ms, warm ms)
RSS_TARGET_MB = 1_536


async def load(store: Store, size: int, seed: int) -> tuple[float, int]:
    """Load the seeded network (the demo network's loader); (seconds, rows written)."""
    started = time.perf_counter()
    result = await load_demo(store, members=size, seed=seed)
    return time.perf_counter() - started, result.rows


async def measure(size: int, seed: int) -> dict[str, Any]:
    """One size, measured in this process."""
    with tempfile.TemporaryDirectory() as tmp, EmbeddedEngine(Path(tmp)) as engine:
        store = Store.connect(
            engine.bolt_uri, engine.user, engine.password, engine.database, query_timeout=600
        )
        try:
            await apply_constraints(store)
            seconds, written = await load(store, size, seed)
            analyses = Services.build(store).analyses
            from graph_service.auth import Principal, Role

            who = Principal(Role.COORDINATOR, subject="bench")
            first_start = time.perf_counter()
            await analyses.isolation(who)
            await analyses.summary(who)
            first = time.perf_counter() - first_start
            # A real write, as a coordinator's would: the next report must reload the graph.
            await bulk.people(
                store, [{"id": new_id(), "name": "After the first report"}], now_iso()
            )
            started = time.perf_counter()
            await analyses.projection()
            projected = time.perf_counter()
            report = await analyses.isolation(who)
            summary = await analyses.summary(who)
            cold = time.perf_counter() - started
            warm_start = time.perf_counter()
            await analyses.isolation(who)
            await analyses.summary(who)
            warm = time.perf_counter() - warm_start
            assert analyses.loads == 2, "one load per write: the warm reports reuse it"
            return {
                "size": size,
                "rows": written,
                "load_s": round(seconds, 1),
                "rows_per_s": round(written / seconds),
                "projection_ms": round((projected - started) * 1000),
                "first_ms": round(first * 1000),
                "cold_ms": round(cold * 1000),
                "warm_ms": round(warm * 1000, 1),
                "flagged": len(report),
                "members": summary.members,
                "reciprocity": round(summary.reciprocity_rate, 3),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        finally:
            await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="350,10000,100000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(asyncio.run(measure(args.one, args.seed))))
        return
    print(f"machine  {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, seed {args.seed}")
    header = (
        f"{'members':>8} {'rows':>8} {'load s':>7} {'rows/s':>7} {'first ms':>8} "
        f"{'proj ms':>8} {'cold ms':>8} {'warm ms':>8} {'flagged':>8} {'RSS MB':>7}  targets"
    )
    print(header)
    for size in (int(s) for s in args.sizes.split(",")):
        done = subprocess.run(
            [sys.executable, __file__, "--one", str(size), "--seed", str(args.seed)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            sys.exit(f"size {size} failed:\n{done.stderr[-3000:]}")
        r = json.loads(done.stdout.strip().splitlines()[-1])
        cold_t, warm_t = TARGETS.get(size, (None, None))
        target = (
            f"cold<{cold_t} warm<{warm_t} RSS<{RSS_TARGET_MB}" if cold_t else f"RSS<{RSS_TARGET_MB}"
        )
        print(
            f"{r['size']:>8} {r['rows']:>8} {r['load_s']:>7} {r['rows_per_s']:>7} "
            f"{r['first_ms']:>8} {r['projection_ms']:>8} "
            f"{r['cold_ms']:>8} {r['warm_ms']:>8} {r['flagged']:>8} {r['peak_rss_mb']:>7}  {target}"
        )


if __name__ == "__main__":
    main()
