"""Domain records of the WRAP programme: sessions, registers, attendance and crisis plans."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, time

from graph_service.domain import Tie


class Weekday(enum.Enum):
    """Days of the week, in the order of ``date.weekday()`` (Monday is 0)."""

    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"

    @property
    def number(self) -> int:
        """0 for Monday to 6 for Sunday."""
        return list(Weekday).index(self)


@dataclass(frozen=True)
class Person:
    """Someone named on a page or a register: a member's id and display name."""

    id: str
    name: str


@dataclass(frozen=True)
class ProgrammeSession:
    """One session of the programme: a WRAP class, a Wellness Toolbox session, ..."""

    id: str
    kind: str
    on: date
    start_time: time
    minutes: int
    venue: str
    facilitators: tuple[Person, ...]  # members who lead it
    staff: tuple[str, ...]  # coordinators who lead it, by name
    cancelled: bool
    register_taken_at: str | None
    attended: int  # how many members the register holds
    schedule_id: str | None = None


@dataclass(frozen=True)
class NewSession:
    """What a coordinator gives to put one session on the programme."""

    kind: str
    on: date
    start_time: time
    minutes: int
    venue: str
    facilitator_ids: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()


@dataclass(frozen=True)
class Schedule:
    """A recurring schedule: these weekdays at one time, between two dates (both included)."""

    kind: str
    weekdays: tuple[Weekday, ...]
    start_time: time
    first: date
    last: date
    minutes: int
    venue: str
    facilitator_ids: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()


@dataclass(frozen=True)
class Register:
    """A session's register: who was there, and the group's regulars to tick."""

    session: ProgrammeSession
    present: tuple[Person, ...]
    regulars: tuple[Person, ...]


@dataclass(frozen=True)
class Attendance:
    """One session a member attended."""

    member_id: str
    session: ProgrammeSession
    recorded_at: str


@dataclass(frozen=True)
class CrisisPlan:
    """Who a member wants involved in a crisis (circle ties) and who must not be (names)."""

    member_id: str
    involved: tuple[Tie, ...]
    not_involved: tuple[str, ...]
    updated_at: str | None
