"""Per-request DataLoaders: one query per kind of data per resolver tree, never one per row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from functools import cached_property
from typing import TypeVar

from strawberry.dataloader import DataLoader

from graph_service.domain import (
    College,
    Consent,
    Course,
    Enrolment,
    Help,
    HelpBalance,
    Member,
    Organisation,
    Tie,
)
from graph_service.domain_programme import Attendance, CrisisPlan
from graph_service.services import Services

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _loader(
    fetch: Callable[[list[K]], Awaitable[Mapping[K, V]]], default: Callable[[], V]
) -> DataLoader[K, V]:
    async def load(keys: Sequence[K]) -> list[V]:
        found = await fetch(list(keys))
        return [found.get(key, default()) for key in keys]

    return DataLoader(load_fn=load)


def _grouped(
    fetch: Callable[[list[str], bool], Awaitable[dict[str, list[V]]]],
) -> DataLoader[tuple[str, bool], list[V]]:
    # Keys carry a flag (e.g. include ended ties); one query per distinct flag.
    async def load(keys: Sequence[tuple[str, bool]]) -> list[list[V]]:
        results: dict[tuple[str, bool], list[V]] = {}
        for flag in {flag for _, flag in keys}:
            ids = [key for key, f in keys if f == flag]
            for key, values in (await fetch(ids, flag)).items():
                results[(key, flag)] = values
        return [results.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """The loaders of one request, each made when first used (most requests need one or two)."""

    def __init__(self, services: Services) -> None:
        self._services = services

    @classmethod
    def build(cls, services: Services) -> Loaders:
        """Fresh loaders (their caches live for one request)."""
        return cls(services)

    @cached_property
    def members(self) -> DataLoader[str, Member | None]:
        """Members by id."""
        return _loader(self._services.members.by_ids, lambda: None)

    @cached_property
    def organisations(self) -> DataLoader[str, Organisation | None]:
        """Organisations by id."""
        return _loader(self._services.organisations.by_ids, lambda: None)

    @cached_property
    def circles(self) -> DataLoader[tuple[str, bool], list[Tie]]:
        """Circles by (member id, include ended)."""
        return _grouped(self._services.circles.circles)

    @cached_property
    def supporting(self) -> DataLoader[tuple[str, bool], list[Tie]]:
        """Ties where a member supports others, by (member id, only invitations)."""
        return _grouped(self._services.circles.supporting)

    @cached_property
    def balances(self) -> DataLoader[str, HelpBalance]:
        """Help balances by member id."""
        return _loader(self._services.help.balances, HelpBalance)

    @cached_property
    def pending_help(self) -> DataLoader[str, list[Help]]:
        """Help awaiting a member's confirmation, by member id."""
        return _loader(self._services.help.pending_for, list)

    @cached_property
    def colleges(self) -> DataLoader[str, College | None]:
        """Colleges by id."""
        return _loader(self._services.colleges.by_ids, lambda: None)

    @cached_property
    def courses(self) -> DataLoader[str, Course | None]:
        """Courses by id."""
        return _loader(self._services.colleges.courses_by_ids, lambda: None)

    @cached_property
    def courses_of(self) -> DataLoader[tuple[str, bool], list[Course]]:
        """Courses by (college id, include retired)."""
        return _grouped(self._services.colleges.courses_of)

    @cached_property
    def enrolments_of_courses(self) -> DataLoader[tuple[str, bool], list[Enrolment]]:
        """Enrolments by (course id, consenting members only)."""
        return _grouped(self._services.enrolments.of_courses)

    @cached_property
    def enrolments_of_members(self) -> DataLoader[str, list[Enrolment]]:
        """Enrolments by member id."""
        return _loader(self._services.enrolments.of_members, list)

    @cached_property
    def consents_of(self) -> DataLoader[str, list[Consent]]:
        """Consents by member id."""
        return _loader(self._services.enrolments.consents_of, list)

    @cached_property
    def tools_of(self) -> DataLoader[str, list[str]]:
        """Wellness tools by member id."""
        return _loader(self._services.wellness.tools_of, list)

    @cached_property
    def attendance_of(self) -> DataLoader[str, list[Attendance]]:
        """Sessions attended, by member id."""
        return _loader(self._services.attendance.attended_by, list)

    @cached_property
    def crisis_plans(self) -> DataLoader[str, CrisisPlan | None]:
        """Crisis plans by member id."""
        return _loader(self._services.crisis.plans_of, lambda: None)
