"""Per-request DataLoaders: one query per kind of data per resolver tree, never one per row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
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


@dataclass
class Loaders:
    """The loaders of one request."""

    members: DataLoader[str, Member | None]
    organisations: DataLoader[str, Organisation | None]
    circles: DataLoader[tuple[str, bool], list[Tie]]
    supporting: DataLoader[tuple[str, bool], list[Tie]]
    balances: DataLoader[str, HelpBalance]
    pending_help: DataLoader[str, list[Help]]
    colleges: DataLoader[str, College | None]
    courses: DataLoader[str, Course | None]
    courses_of: DataLoader[tuple[str, bool], list[Course]]
    enrolments_of_courses: DataLoader[tuple[str, bool], list[Enrolment]]
    enrolments_of_members: DataLoader[str, list[Enrolment]]
    consents_of: DataLoader[str, list[Consent]]
    tools_of: DataLoader[str, list[str]]

    @classmethod
    def build(cls, services: Services) -> Loaders:
        """Fresh loaders (their caches live for one request)."""

        return cls(
            members=_loader(services.members.by_ids, lambda: None),
            organisations=_loader(services.organisations.by_ids, lambda: None),
            circles=_grouped(services.circles.circles),
            supporting=_grouped(services.circles.supporting),
            balances=_loader(services.help.balances, HelpBalance),
            pending_help=_loader(services.help.pending_for, list),
            colleges=_loader(services.colleges.by_ids, lambda: None),
            courses=_loader(services.colleges.courses_by_ids, lambda: None),
            courses_of=_grouped(services.colleges.courses_of),
            enrolments_of_courses=_grouped(services.enrolments.of_courses),
            enrolments_of_members=_loader(services.enrolments.of_members, list),
            consents_of=_loader(services.enrolments.consents_of, list),
            tools_of=_loader(services.wellness.tools_of, list),
        )
