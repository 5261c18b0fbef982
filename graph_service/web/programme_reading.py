"""Reading the programme's forms: what a coordinator typed and ticked (kept to show again), the
dates, times and numbers in it (each that cannot be read noted in words), and the service's
userErrors put next to the form's own inputs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Final

from starlette.datastructures import FormData

from graph_service.domain import ErrorCode, UserError
from graph_service.domain_programme import Weekday
from graph_service.services.programme import MAX_FACILITATORS
from graph_service.services.validation import today
from graph_service.web.me_forms import sentence, text

MAX_CHOSEN: Final = 20  # more than a session may have: the service says so, in words
# The forms' text inputs, and what a new form starts with.
TEXT_FIELDS: Final = ("kind", "on", "from", "to", "start", "minutes", "venue", "staff", "name")
FRESH: Final = {"minutes": "120"}
WEEKDAYS: Final = {day.value: day.value.capitalize() for day in Weekday}
# userErrors name the API's fields; the forms name their own inputs ('' for the form).
FIELDS: Final = {
    "kind": "kind",
    "venue": "venue",
    "minutes": "minutes",
    "staff": "staff",
    "facilitatorIds": "facilitators",
    "weekdays": "weekdays",
    "to": "to",
    "name": "name",
}
# A few of the service's messages in the words of the form.
PLAIN: Final = {
    ("facilitatorIds", ErrorCode.NOT_FOUND): "A member ticked is paused or has left: untick them.",
    ("facilitatorIds", ErrorCode.INVALID_INPUT): f"At most {MAX_FACILITATORS} people lead a "
    "session, members and staff together.",
    ("to", "must not be before from"): "The last day must not be before the first day.",
}
# Dates the pages accept: ten years either side of today (the date arithmetic of registers
# and windows fails near year 1 and year 9999).
REACH: Final = timedelta(days=3653)
DAY: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
CLOCK: Final = re.compile(r"(\d{1,2}):(\d{2})")
WHOLE: Final = re.compile(r"\d{1,4}")


def in_reach(day: date) -> bool:
    """True for a date within ten years of today."""
    return abs(day - today()) <= REACH


def errors_of(found: list[UserError]) -> dict[str, str]:
    """userErrors keyed by the form's own inputs, in plain words."""
    errors: dict[str, str] = {}
    for error in found:
        field = error.field or ""
        plain = PLAIN.get((field, error.code)) or PLAIN.get((field, error.message))
        errors.setdefault(FIELDS.get(field, ""), plain or sentence(error.message))
    return errors


@dataclass(frozen=True)
class Filled:
    """What the coordinator typed and ticked, kept to show again."""

    values: dict[str, str]
    weekdays: frozenset[str]
    chosen: tuple[str, ...]  # members ticked to lead
    find: str  # a name to find

    @classmethod
    def of(cls, form: FormData | None) -> Filled:
        """What a posted form holds (a fresh form's when there is none)."""
        if form is None:
            return cls(dict(FRESH), frozenset(), (), "")
        ticked = [v for v in form.getlist("facilitator") if isinstance(v, str) and v]
        return cls(
            {name: text(form, name) for name in TEXT_FIELDS},
            frozenset(v for v in form.getlist("weekdays") if isinstance(v, str)),
            tuple(dict.fromkeys(ticked))[:MAX_CHOSEN],
            text(form, "find")[:80],
        )

    def staff(self) -> tuple[str, ...]:
        """Staff who lead, by name: typed with commas between them."""
        return tuple(name.strip() for name in self.values["staff"].split(",") if name.strip())


class Reader:
    """Reads the dates, times and numbers of a form, noting each that cannot be read."""

    def __init__(self, filled: Filled) -> None:
        self.values = filled.values
        self.errors: dict[str, str] = {}

    def kind(self) -> str:
        """The kind of session chosen (whether it is on the list is the service's to say)."""
        if not self.values["kind"]:
            self.errors["kind"] = "Choose the kind of session."
        return self.values["kind"]

    def day(self, name: str, what: str) -> date:
        """A date written year-month-day (as date boxes send it), within ten years of today."""
        value = self.values[name]
        if not value:
            self.errors[name] = f"Give {what}."
            return date.min
        if DAY.fullmatch(value):
            try:
                day = date.fromisoformat(value)
            except ValueError:
                pass
            else:
                if in_reach(day):
                    return day
                self.errors[name] = f"Give {what} within ten years of today."
                return date.min
        example = today().isoformat()
        self.errors[name] = f"Give {what} as year-month-day, for example {example}."
        return date.min

    def clock(self) -> time:
        """The start time, written hours:minutes (as time boxes send it)."""
        value = self.values["start"]
        match = CLOCK.fullmatch(value)
        if match and int(match[1]) < 24 and int(match[2]) < 60:
            return time(int(match[1]), int(match[2]))
        self.errors["start"] = (
            "Give the start time as hours and minutes, for example 10:30."
            if value
            else "Give the start time."
        )
        return time()

    def minutes(self) -> int:
        """The length of a session, a whole number of minutes (its range is the service's)."""
        value = self.values["minutes"]
        if WHOLE.fullmatch(value):
            return int(value)
        self.errors["minutes"] = (
            "Give the length in minutes as a whole number, for example 90."
            if value
            else "Give the length in minutes."
        )
        return 0

    def weekdays(self, ticked: frozenset[str]) -> tuple[Weekday, ...]:
        """The days of the week ticked, Monday first."""
        if ticked - WEEKDAYS.keys():
            self.errors["weekdays"] = "Choose days of the week from the list."
        return tuple(day for day in Weekday if day.value in ticked)
