"""Roster imports at scale: 100,000 members and their circles through `import members|circles`.

Writes a members CSV and a circles CSV made from the seeded synthetic network
(graph_service.analysis.synthetic) into a temporary directory, starts a fresh embedded engine,
seeds the organisations and colleges, then times both loaders, called directly (no CLI, no
progress bar). Ties the import would refuse by design are left out of the file: ENDED and
DECLINED history, and ties of members (or to members) who are not ACTIVE. Target: under 60 s.

    .venv/bin/python bench/load.py [--members 100000] [--seed 7] [--batch 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

from graph_service.analysis.synthetic import SYNTHETIC_TODAY, synthetic_rows
from graph_service.engine import EmbeddedEngine
from graph_service.ids import to_global_id
from graph_service.services import Services
from graph_service.services.validation import today
from graph_service.store import Store
from graph_service.store.migrations import apply_constraints
from loaders.circles import import_circles
from loaders.enrolments import ImportResult
from loaders.members import import_members

TARGET_S = 60.0
CIRCLE_MAX = 5


def write_files(directory: Path, members: int, seed: int) -> tuple[Path, Path, int]:
    """The two CSV files of the synthetic network; (members file, circles file, ties skipped)."""
    rows = synthetic_rows(members, seed, today=min(SYNTHETIC_TODAY, today()))
    refs = {member_id: f"SYN-{n:06d}" for n, (member_id, _, _) in enumerate(rows.members)}
    active = {member_id for member_id, status, _ in rows.members if status == "ACTIVE"}
    organisations = {s for s, kind in rows.supporters if kind == "organisation"}
    members_csv, circles_csv = directory / "members.csv", directory / "circles.csv"
    with members_csv.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["member_ref", "display_name", "member_since", "status"])
        for member_id, status, since in rows.members:
            writer.writerow([refs[member_id], f"Member {refs[member_id][4:]}", since, status])
    skipped = 0
    with circles_csv.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "member_ref",
                "relation",
                "supporter_ref",
                "supporter_name",
                "organisation_id",
                "status",
            ]
        )
        for _, member_id, supporter, relation, status in rows.ties:
            if status not in ("INVITED", "ACTIVE") or member_id not in active:
                skipped += 1
            elif supporter in refs:
                if supporter not in active:
                    skipped += 1
                    continue
                writer.writerow([refs[member_id], relation, refs[supporter], "", "", status])
            elif supporter in organisations:
                org = to_global_id("Organisation", supporter)
                writer.writerow([refs[member_id], relation, "", "", org, ""])
            else:
                # One name per synthetic person: unique within a circle, as a roster's would be.
                name = f"Supporter {supporter[:10]}"
                writer.writerow([refs[member_id], relation, "", name, "", ""])
    return members_csv, circles_csv, skipped


def _line(label: str, result: ImportResult, seconds: float) -> str:
    rows = result.written + result.unchanged + result.rejected_rows
    return (
        f"{label:<8} {rows:>8} rows {seconds:>7.1f} s {rows / seconds:>8.0f} rows/s   "
        f"{result.summary()}"
    )


async def run(members: int, seed: int, batch: int) -> None:
    """Build the files, load them into a fresh engine and print the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        members_csv, circles_csv, skipped = write_files(Path(tmp), members, seed)
        print(
            f"files    {time.perf_counter() - started:.1f} s to generate "
            f"({skipped} ties skipped: ended, declined or not active)"
        )
        with EmbeddedEngine(Path(tmp) / "engine") as engine:
            store = Store.connect(
                engine.bolt_uri, engine.user, engine.password, engine.database, query_timeout=600
            )
            try:
                await apply_constraints(store)
                services = Services.build(store, circle_max=CIRCLE_MAX)
                await services.organisations.seed()
                await services.colleges.seed()
                t0 = time.perf_counter()
                roster = await import_members(store, members_csv, batch_size=batch)
                t1 = time.perf_counter()
                circles = await import_circles(
                    store, circles_csv, circle_max=CIRCLE_MAX, batch_size=batch
                )
                t2 = time.perf_counter()
            finally:
                await store.close()
    print(_line("members", roster, t1 - t0))
    print(_line("circles", circles, t2 - t1))
    total = t2 - t0
    verdict = "within" if total < TARGET_S else "OVER"
    print(f"total    {total:.1f} s ({verdict} the {TARGET_S:.0f} s target)")
    for problem in (roster.rejected + circles.rejected)[:5]:
        print(f"  rejected: {problem}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()
    print(
        f"machine  {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
        f"{args.members} members, seed {args.seed}, batches of {args.batch}"
    )
    asyncio.run(run(args.members, args.seed, args.batch))


if __name__ == "__main__":
    main()
