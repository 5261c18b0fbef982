"""The synthetic, seeded demo network: a realistic recovery network to try the service on.

The same seed always gives the same network (ids included). Members have realistic circle
sizes and the relation mix of DESIGN.md §4 (family, friends, peers, a direct-payment worker,
the network itself, college support services), reciprocity between some peers, help records,
wellness tools, and enrolments on the partner colleges' courses for members who consented.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from graph_service.analysis.synthetic import synthetic_rows
from graph_service.domain import HelpKind
from graph_service.events import ChangeKind, change
from graph_service.services import Services
from graph_service.services.seed_data import COLLEGES
from graph_service.services.validation import now_iso, today
from graph_service.store import Store, bulk, changes
from graph_service.store.admin import count_nodes
from graph_service.store.members import list_members
from loaders.demo_programme import load_year

BATCH = 5_000
DEFAULT_MEMBERS = 350
DEFAULT_SEED = 2026
_IDS = uuid.UUID("6f1d2c3a-9b7e-4c1d-8e2f-5a6b7c8d9e0f")  # namespace for the demo's own ids

FIRST_NAMES = (
    "Aoife",
    "Bernie",
    "Callum",
    "Dee",
    "Eamon",
    "Fran",
    "Gemma",
    "Harry",
    "Imelda",
    "Jamie",
    "Kath",
    "Liam",
    "Maureen",
    "Niall",
    "Orla",
    "Paddy",
    "Rita",
    "Sean",
    "Tracey",
    "Vinny",
    "Wendy",
    "Yasmin",
    "Zack",
    "Carol",
    "Danny",
    "Jo",
    "Mick",
    "Shaz",
    "Tony",
    "Val",
)
INITIALS = "ABCDEFGHJKLMNOPRSTW"
COURSE_COLLEGE = {course.id: college.id for college in COLLEGES for course in college.courses}


class DemoRefused(Exception):
    """The demo network only goes into a graph without members."""


@dataclass(frozen=True)
class DemoResult:
    """What the demo load wrote."""

    members: int
    ties: int
    rows: int


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(INITIALS)}."


def _id(kind: str, seed: int, number: int) -> str:
    return uuid.uuid5(_IDS, f"{kind}:{seed}:{number}").hex


async def _batched(
    write: Callable[[list[dict[str, Any]]], Awaitable[int]], rows: list[dict[str, Any]]
) -> int:
    return sum([await write(rows[i : i + BATCH]) for i in range(0, len(rows), BATCH)])


async def load_demo(
    store: Store, *, members: int = DEFAULT_MEMBERS, seed: int = DEFAULT_SEED
) -> DemoResult:
    """Load the demo network into a graph that has no members yet."""
    if members < 1:
        raise ValueError("the demo network needs at least one member")
    existing = await list_members(store, offset=0, limit=1)
    if existing.total:
        raise DemoRefused(
            f"the graph already has {existing.total} members: the demo network only goes "
            "into a graph without members"
        )
    rows = synthetic_rows(members, seed)
    rng = random.Random(seed)  # noqa: S311 - names for demo data, not secrets
    now = now_iso()
    services = Services.build(store)
    await services.organisations.seed()
    await services.colleges.seed()
    tools = {name.lower(): name for name in await services.wellness.seed()}
    kinds = dict(rows.supporters)
    orgs = [
        {"id": o, "name": o, "kind": "OTHER"} for o, k in rows.supporters if k == "organisation"
    ]
    ties = [
        {"id": t, "member": m, "supporter": s, "relation": r, "status": st}
        for t, m, s, r, st in rows.ties
    ]
    written = await _batched(
        lambda b: bulk.members(store, b, now),
        [{"id": m, "name": _name(rng), "status": s, "since": str(d)} for m, s, d in rows.members],
    )
    written += await _batched(
        lambda b: bulk.people(store, b, now),
        [{"id": p, "name": _name(rng)} for p, k in rows.supporters if k == "person"],
    )
    written += await _batched(lambda b: bulk.organisations(store, b, now), orgs)
    people_ties = [t for t in ties if kinds.get(t["supporter"]) != "organisation"]
    org_ties = [t for t in ties if kinds.get(t["supporter"]) == "organisation"]
    written += await _batched(
        lambda b: bulk.ties(store, b, now, to_organisations=False), people_ties
    )
    written += await _batched(lambda b: bulk.ties(store, b, now, to_organisations=True), org_ties)
    help_kinds = [kind.value for kind in HelpKind]
    written += await _batched(
        lambda b: bulk.help_records(store, b, now),
        [
            {
                "id": _id("help", seed, i),
                "giver": g,
                "receiver": r,
                "on": str(on),
                "kind": rng.choice(help_kinds),
                "confirmed": c,
            }
            for i, (g, r, c, on) in enumerate(rows.help)
        ],
    )
    # Colleges see enrolments only of members who share with them: the demo's members did.
    written += await _batched(
        lambda b: bulk.consents(store, b, now),
        [{"member": m, "college": COURSE_COLLEGE[c]} for m, c, *_ in rows.enrolments],
    )
    written += await _batched(
        lambda b: bulk.enrolments(store, b, now),
        [
            {
                "id": _id("enrolment", seed, i),
                "member": m,
                "course": c,
                "status": s,
                "enrolledOn": str(e),
                "completedOn": str(done) if done else None,
            }
            for i, (m, c, s, e, done) in enumerate(rows.enrolments)
        ],
    )
    written += await _batched(
        lambda b: bulk.tools(store, b, now[:10]),
        [{"member": m, "tool": tools[t.lower()]} for m, t in rows.tools if t.lower() in tools],
    )
    # Dated ties, and a year of the programme's sessions and registers, up to today.
    await services.programme.seed()
    written += (await load_year(store, rows, seed=seed, today=today(), now=now)).rows
    # Written in bulk, batch by batch: running replicas are told to load it whole.
    await changes.record(store, change(ChangeKind.RELOAD))
    return DemoResult(members=len(rows.members), ties=len(rows.ties), rows=written)


async def graph_is_empty(store: Store) -> bool:
    """True before anything was ever written."""
    return await count_nodes(store) == 0
