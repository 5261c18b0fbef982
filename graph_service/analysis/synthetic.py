"""A seeded synthetic network, as rows, for benchmarks and shape tests.

The same ``(members, seed)`` always gives the same rows, so a benchmark can load exactly this
network into the database and compare with the in-memory projection. What it looks like:

- member status: 85% ACTIVE, 10% PAUSED, 5% LEFT; LEFT members keep only ENDED ties.
- open (INVITED + ACTIVE) circle size, by ``CIRCLE_SIZE_WEIGHTS``: some 0, most 2-4, few 5,
  never above ``CIRCLE_MAX``.
- relations: family and friends (mostly non-member people, some friends are members), peers
  (other members), professionals (a shared pool of e.g. direct-payment workers, each with a
  handful of members) and the four organisations of ``ORGANISATIONS``.
- member-to-member ties start INVITED and are mostly ACTIVE; about 30% of them are returned.
- some history: ENDED ties to people, DECLINED invitations to members (outside the circle cap).
- help between tied members (about two in three confirmed) over the last year; enrolments on the
  seeded partner-college courses; wellness tools from ``TOOLS``. No date is after ``today``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

from graph_service.analysis.projection import (
    EnrolmentRow,
    HelpRow,
    MemberRow,
    ProjectionRows,
    SupporterRow,
    TieRow,
    ToolRow,
)
from graph_service.services.seed_data import COLLEGES

SYNTHETIC_TODAY: Final = date(2026, 11, 1)
CIRCLE_MAX: Final = 5
ORGANISATIONS: Final = (
    "sefton-peer-network",
    "southport-college-support",
    "waterloo-college-support",
    "lccc-support",
)
COURSES: Final = tuple(course.id for college in COLLEGES for course in college.courses)
TOOLS: Final = (
    "journaling",
    "tai chi",
    "creative writing",
    "music",
    "craft",
    "mindfulness",
    "walking",
    "gardening",
)
CIRCLE_SIZE_WEIGHTS: Final = (8, 12, 25, 28, 19, 8)  # index = number of open ties
MEMBER_STATUSES: Final = (("ACTIVE", 85), ("PAUSED", 10), ("LEFT", 5))
RELATIONS: Final = (
    ("FAMILY", 30),
    ("FRIEND", 22),
    ("PEER", 25),
    ("PROFESSIONAL", 13),
    ("ORGANISATION", 10),
)
FRIEND_IS_MEMBER: Final = 0.35
INVITED_SHARE: Final = 0.15
# Some chosen members' circles are already full and cannot return the tie; with the unprompted
# returns of later picks, 35% asked gives about 30% of ACTIVE member-to-member ties returned.
RETURN_TIE: Final = 0.35
ENROLMENT_COUNTS: Final = (40, 35, 18, 7)  # index = number of courses
ENROLMENT_STATUSES: Final = (("ENROLLED", 50), ("COMPLETED", 38), ("WITHDRAWN", 12))
TOOL_COUNTS: Final = (30, 35, 22, 10, 3)  # index = number of tools
HELP_PER_MEMBER: Final = 0.6
HELP_CONFIRMED: Final = 0.65


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    """One value of a (value, weight) table."""
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


@dataclass
class _Network:
    """The rows under construction (internal scratch)."""

    rng: random.Random
    today: date
    ids: list[str]
    statuses: list[str]
    target: list[int]
    open_ties: list[int]
    supporters: list[SupporterRow] = field(default_factory=list)
    ties: list[TieRow] = field(default_factory=list)
    pairs: set[tuple[int, int]] = field(default_factory=set)  # open member-to-member ties
    named: set[tuple[int, str]] = field(default_factory=set)  # (member, professional or org)
    professionals: list[str] = field(default_factory=list)
    used_professionals: set[str] = field(default_factory=set)

    def new_id(self) -> str:
        """A fresh uuid-like hex id (as the service's own ids look)."""
        return f"{self.rng.getrandbits(128):032x}"

    def tie(self, member: int, supporter: str, relation: str, status: str) -> None:
        """Add one tie row."""
        self.ties.append((self.new_id(), self.ids[member], supporter, relation, status))
        if status in ("INVITED", "ACTIVE"):
            self.open_ties[member] += 1

    def person(self, member: int, relation: str, status: str = "ACTIVE") -> None:
        """A tie to a new non-member person."""
        person = self.new_id()
        self.supporters.append((person, "person"))
        self.tie(member, person, relation, status)

    def other_member(self, member: int) -> int | None:
        """A random member (not LEFT, not already in the circle) to name, if one is found."""
        for _ in range(8):
            other = self.rng.randrange(len(self.ids))
            if (
                other != member
                and self.statuses[other] != "LEFT"
                and (member, other) not in self.pairs
            ):
                return other
        return None

    def member_tie(self, member: int, relation: str) -> bool:
        """A tie to another member, sometimes returned; False when none could be made."""
        other = self.other_member(member)
        if other is None:
            return False
        returned = (
            self.rng.random() < RETURN_TIE
            and self.open_ties[other] < self.target[other]
            and (other, member) not in self.pairs
        )
        invited = not returned and self.rng.random() < INVITED_SHARE
        self.tie(member, self.ids[other], relation, "INVITED" if invited else "ACTIVE")
        self.pairs.add((member, other))
        if returned:
            self.tie(other, self.ids[member], relation, "ACTIVE")
            self.pairs.add((other, member))
        return True

    def named_tie(self, member: int, relation: str, pool: list[str] | tuple[str, ...]) -> bool:
        """A tie to a professional or organisation from a shared pool, not named twice."""
        supporter = self.rng.choice(pool)
        if (member, supporter) in self.named:
            return False
        self.named.add((member, supporter))
        if relation == "PROFESSIONAL":
            self.used_professionals.add(supporter)
        self.tie(member, supporter, relation, "ACTIVE")
        return True

    def fill_circle(self, member: int) -> None:
        """Add ties until the member's circle reaches its target size."""
        while self.open_ties[member] < self.target[member]:
            relation = _weighted(self.rng, RELATIONS)
            made = False
            if relation == "PEER" or (
                relation == "FRIEND" and self.rng.random() < FRIEND_IS_MEMBER
            ):
                made = self.member_tie(member, relation)
            elif relation == "PROFESSIONAL":
                made = self.named_tie(member, relation, self.professionals)
            elif relation == "ORGANISATION":
                made = self.named_tie(member, relation, ORGANISATIONS)
            if not made:
                self.person(member, relation if relation in ("FAMILY", "FRIEND") else "FAMILY")

    def history(self, member: int) -> None:
        """Ties outside the circle: an ENDED one to a person, a DECLINED invitation."""
        if self.statuses[member] == "LEFT":
            for _ in range(self.rng.randint(1, 3)):
                self.person(member, _weighted(self.rng, RELATIONS[:2]), "ENDED")
            return
        if self.rng.random() < 0.10:
            self.person(member, _weighted(self.rng, RELATIONS[:2]), "ENDED")
        if self.rng.random() < 0.03:
            other = self.other_member(member)
            if other is not None:
                self.tie(member, self.ids[other], "PEER", "DECLINED")

    def day(self, within: int) -> str:
        """An ISO date in the last ``within`` days up to today."""
        return (self.today - timedelta(days=self.rng.randrange(within))).isoformat()


def _help(net: _Network, members: int) -> list[HelpRow]:
    """Help records, mostly between members tied to each other."""
    pairs = sorted(net.pairs)  # sorted: a set's order is not part of the seed
    rows: list[HelpRow] = []
    for _ in range(int(members * HELP_PER_MEMBER)):
        if pairs and net.rng.random() < 0.9:
            giver, receiver = net.rng.choice(pairs)
            if net.rng.random() < 0.5:
                giver, receiver = receiver, giver
        elif members >= 2:
            giver, receiver = net.rng.sample(range(members), 2)
        else:
            break
        confirmed = net.rng.random() < HELP_CONFIRMED
        rows.append((net.ids[giver], net.ids[receiver], confirmed, net.day(365)))
    return rows


def _enrolments(net: _Network) -> list[EnrolmentRow]:
    """Enrolments on the partner colleges' courses; completed ones finished by today."""
    rows: list[EnrolmentRow] = []
    counts = range(len(ENROLMENT_COUNTS))
    for member_id in net.ids:
        how_many = net.rng.choices(counts, weights=ENROLMENT_COUNTS)[0]
        for course in net.rng.sample(COURSES, how_many):
            status = _weighted(net.rng, ENROLMENT_STATUSES)
            enrolled = net.today - timedelta(days=net.rng.randrange(540))
            completed = enrolled + timedelta(days=net.rng.randint(42, 120))
            if status == "COMPLETED" and completed > net.today:
                status = "ENROLLED"
            done = completed.isoformat() if status == "COMPLETED" else None
            rows.append((member_id, course, status, enrolled.isoformat(), done))
    return rows


def _tools(net: _Network) -> list[ToolRow]:
    """Wellness tools each member practises."""
    counts = range(len(TOOL_COUNTS))
    return [
        (member_id, tool)
        for member_id in net.ids
        for tool in net.rng.sample(TOOLS, net.rng.choices(counts, weights=TOOL_COUNTS)[0])
    ]


def synthetic_rows(members: int, seed: int, *, today: date = SYNTHETIC_TODAY) -> ProjectionRows:
    """A realistic network of ``members`` members, the same for the same seed."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    sizes = range(len(CIRCLE_SIZE_WEIGHTS))
    statuses = [_weighted(rng, MEMBER_STATUSES) for _ in range(members)]
    net = _Network(
        rng=rng,
        today=today,
        ids=[f"{rng.getrandbits(128):032x}" for _ in range(members)],
        statuses=statuses,
        target=[
            0 if s == "LEFT" else rng.choices(sizes, weights=CIRCLE_SIZE_WEIGHTS)[0]
            for s in statuses
        ],
        open_ties=[0] * members,
    )
    net.professionals = [net.new_id() for _ in range(max(1, members // 15))]
    for member in range(members):
        net.fill_circle(member)
        net.history(member)
    member_rows: list[MemberRow] = [
        (member_id, status, net.day(3000))
        for member_id, status in zip(net.ids, statuses, strict=True)
    ]
    supporters = net.supporters + [
        (p, "person") for p in net.professionals if p in net.used_professionals
    ]
    supporters += [(org, "organisation") for org in ORGANISATIONS]
    return ProjectionRows(
        members=tuple(member_rows),
        supporters=tuple(supporters),
        ties=tuple(net.ties),
        help=tuple(_help(net, members)),
        enrolments=tuple(_enrolments(net)),
        tools=tuple(_tools(net)),
    )
