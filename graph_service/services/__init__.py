"""Use-cases and rules: permissions, the circle limit, consent. No Cypher, no GraphQL."""

from __future__ import annotations

from dataclasses import dataclass

from graph_service.services.circles import CircleService
from graph_service.services.colleges import CollegeService
from graph_service.services.enrolments import EnrolmentService
from graph_service.services.help import HelpService
from graph_service.services.members import MemberService
from graph_service.services.organisations import OrganisationService
from graph_service.store import Store


@dataclass(frozen=True)
class Services:
    """Every use-case, over one store."""

    members: MemberService
    circles: CircleService
    help: HelpService
    organisations: OrganisationService
    colleges: CollegeService
    enrolments: EnrolmentService

    @classmethod
    def build(cls, store: Store, *, circle_max: int = 5) -> Services:
        """The services over a store."""
        return cls(
            MemberService(store),
            CircleService(store, circle_max),
            HelpService(store),
            OrganisationService(store),
            CollegeService(store),
            EnrolmentService(store),
        )
