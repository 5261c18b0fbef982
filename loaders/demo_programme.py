"""The demo network's year: dated ties, a year of programme sessions and who came to them.

So that the trends and the programme's pages have something to show on `make run`:

- ties get dates: most began before the year, some during it; ended ties end in it (those of
  members who left end when they left); invitations were answered days after they were made.
- three weekly schedules run for the year up to today and two weeks beyond it (WRAP class on
  Tuesdays, Wellness Toolbox on Thursdays, a peer group on Fridays), each led by a member and a
  coordinator; sessions between Christmas Eve and New Year's Day were cancelled.
- about a third of the active members come, to one or two kinds of session, some from part way
  through the year; about a quarter of those (and every paused member who came) stop coming
  four to twelve weeks before today: the pattern a `STOPPED_ATTENDING` reason looks for.

The same seed and day give the same year.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from graph_service.analysis.projection import ProjectionRows
from graph_service.store import Store
from graph_service.store import programme_bulk as bulk

BATCH: Final = 5_000
_IDS: Final = uuid.UUID("0b8f3e2a-5c4d-4e6f-9a1b-7c2d3e4f5a6b")
YEAR: Final = timedelta(days=364)
AHEAD: Final = timedelta(days=14)
STAFF: Final = ("Siobhan", "Marcus", "Bernadette")
# (kind, weekday as date.weekday(), start, minutes, venue)
SCHEDULES: Final = (
    ("WRAP class", 1, "10:00", 120, "Southport Community Centre"),
    ("Wellness Toolbox", 3, "10:00", 120, "Bootle Library"),
    ("Peer group", 4, "13:30", 90, "Crosby Lakeside Centre"),
)
WEEKDAYS: Final = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
ATTENDING: Final = 0.33
STOPPING: Final = 0.25


@dataclass(frozen=True)
class YearResult:
    """What the year added."""

    sessions: int
    attendances: int
    rows: int


def _id(kind: str, seed: int, number: int) -> str:
    return uuid.uuid5(_IDS, f"{kind}:{seed}:{number}").hex


def _between(rng: random.Random, first: date, last: date) -> date:
    """A day from ``first`` to ``last`` (``first`` when the range is empty)."""
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _stamp(day: date, at: str = "10:00") -> str:
    return f"{day.isoformat()}T{at}:00.000+00:00"


def _tie_dates(
    rng: random.Random, rows: ProjectionRows, today: date, left: dict[str, date]
) -> list[dict[str, Any]]:
    joined = {m: date.fromisoformat(str(since)) for m, _, since in rows.members}
    members = set(joined)
    start = today - YEAR
    dated = []
    for tie_id, member, supporter, _, status in rows.ties:
        base = max(joined[member], today - timedelta(days=4 * 365))
        responded = ended = ended_from = None
        if member in left:  # everything of a member who left ended when they left
            since = _between(rng, base, left[member] - timedelta(days=60))
            ended = max(since, left[member] - timedelta(days=rng.randint(0, 20)))
            ended_from = "ACTIVE"
        elif status == "ACTIVE":
            late = base >= start or rng.random() < 0.2
            since = (
                _between(rng, max(base, start), today - timedelta(days=7))
                if late
                else (_between(rng, base, start))
            )
        elif status == "INVITED":
            since = _between(rng, today - timedelta(days=60), today - timedelta(days=1))
        elif status == "DECLINED":
            since = _between(rng, start, today - timedelta(days=30))
            responded = since + timedelta(days=rng.randint(1, 20))
        else:  # ENDED
            since = _between(rng, base, today - timedelta(days=200))
            ended = _between(rng, max(since + timedelta(days=30), start), today - timedelta(days=1))
            ended_from = "ACTIVE"
        if supporter in members and status == "ACTIVE" and member not in left:
            responded = min(today, since + timedelta(days=rng.randint(1, 14)))
        dated.append(
            {
                "id": tie_id,
                "member": member,
                "since": _stamp(since),
                "respondedAt": _stamp(responded) if responded else None,
                "endedAt": _stamp(ended) if ended else None,
                "endedFrom": ended_from,
            }
        )
    return dated


def _sessions(
    rng: random.Random, seed: int, today: date, leads: list[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Schedules, their sessions and the sessions' member facilitators."""
    first, last = today - YEAR, today + AHEAD
    schedules: list[dict[str, Any]] = []
    sessions: list[dict[str, Any]] = []
    facilitators: list[dict[str, Any]] = []
    for number, (kind, weekday, start, minutes, venue) in enumerate(SCHEDULES):
        schedule_id = _id("schedule", seed, number)
        schedules.append(
            {
                "id": schedule_id,
                "kind": kind,
                "weekdays": [WEEKDAYS[weekday]],
                "startTime": start,
                "first": first.isoformat(),
                "last": last.isoformat(),
                "minutes": minutes,
                "venue": venue,
            }
        )
        day = first + timedelta(days=(weekday - first.weekday()) % 7)
        while day <= last:
            holiday = (day.month, day.day) >= (12, 24) or (day.month, day.day) <= (1, 1)
            session_id = _id("session", seed, len(sessions))
            sessions.append(
                {
                    "id": session_id,
                    "scheduleId": schedule_id,
                    "kind": kind,
                    "on": day.isoformat(),
                    "startTime": start,
                    "minutes": minutes,
                    "venue": venue,
                    "staff": [STAFF[number]],
                    "cancelled": holiday,
                    "takenAt": _stamp(day, "12:30") if day <= today and not holiday else None,
                }
            )
            if leads:
                facilitators.append({"session": session_id, "member": leads[number % len(leads)]})
            day += timedelta(days=7)
    rng.shuffle(facilitators)  # order says nothing; shuffled so that it is not relied on
    return schedules, sessions, facilitators


def _attendance(
    rng: random.Random, rows: ProjectionRows, sessions: list[dict[str, Any]], today: date
) -> list[dict[str, Any]]:
    """Who came: regulars of one or two kinds; some stop coming in the last months."""
    statuses = {m: s for m, s, _ in rows.members}
    active = [m for m, s in statuses.items() if s == "ACTIVE"]
    paused = [m for m, s in statuses.items() if s == "PAUSED"]
    attenders = rng.sample(active, int(len(active) * ATTENDING)) + paused[: len(paused) // 2]
    kinds = [kind for kind, *_ in SCHEDULES]
    held = [s for s in sessions if s["takenAt"]]
    found = []
    for member in attenders:
        mine = set(rng.sample(kinds, rng.choice((1, 1, 2))))
        chance = rng.uniform(0.45, 0.9)
        start = (
            today - YEAR
            if rng.random() < 0.7
            else _between(rng, today - YEAR, today - timedelta(days=120))
        )
        stops = statuses[member] == "PAUSED" or rng.random() < STOPPING
        stop = (
            _between(rng, today - timedelta(days=84), today - timedelta(days=28)) if stops else None
        )
        for session in held:
            on = date.fromisoformat(session["on"])
            if session["kind"] not in mine or on < start or (stop and on >= stop):
                continue
            if rng.random() < chance:
                found.append(
                    {"session": session["id"], "member": member, "recordedAt": session["takenAt"]}
                )
    return found


async def _batched(store: Store, write: Any, rows: list[dict[str, Any]], *args: Any) -> int:
    return sum([await write(store, rows[i : i + BATCH], *args) for i in range(0, len(rows), BATCH)])


async def load_year(
    store: Store, rows: ProjectionRows, *, seed: int, today: date, now: str
) -> YearResult:
    """Date the demo's ties and add a year of sessions and attendance."""
    rng = random.Random(f"programme:{seed}")  # noqa: S311 - demo data, not secrets
    statuses = {m: s for m, s, _ in rows.members}
    left = {
        m: _between(rng, today - YEAR, today - timedelta(days=30))
        for m, s in statuses.items()
        if s == "LEFT"
    }
    written = await _batched(store, bulk.tie_dates, _tie_dates(rng, rows, today, left))
    departures = [{"member": m, "leftAt": _stamp(day)} for m, day in left.items()]
    written += await _batched(store, bulk.left_dates, departures)
    open_ties: dict[str, int] = {}
    for _, member, _, _, status in rows.ties:
        open_ties[member] = open_ties.get(member, 0) + (status == "ACTIVE")
    active = sorted(
        (m for m, s in statuses.items() if s == "ACTIVE"), key=lambda m: (-open_ties.get(m, 0), m)
    )
    schedules, sessions, facilitators = _sessions(rng, seed, today, active[: len(SCHEDULES)])
    attended = _attendance(rng, rows, sessions, today)
    written += await _batched(store, bulk.schedules, schedules, now)
    written += await _batched(store, bulk.sessions, sessions, now)
    written += await _batched(store, bulk.facilitators, facilitators)
    written += await _batched(store, bulk.attendance, attended)
    return YearResult(len(sessions), len(attended), written)
