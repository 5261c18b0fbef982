"""Use-cases and rules: permissions, the circle limit, consent. No Cypher, no GraphQL."""

from __future__ import annotations

from dataclasses import dataclass

from graph_service.services.analyses import AnalysisService
from graph_service.services.audit import AuditService
from graph_service.services.circles import CircleService
from graph_service.services.colleges import CollegeService
from graph_service.services.enrolments import EnrolmentService
from graph_service.services.help import HelpService
from graph_service.services.members import MemberService
from graph_service.services.organisations import OrganisationService
from graph_service.services.privacy import PrivacyService
from graph_service.services.wellness import WellnessService
from graph_service.store import Store


@dataclass(frozen=True)
class Services:
    """Every use-case, over one store."""

    audit: AuditService
    members: MemberService
    circles: CircleService
    help: HelpService
    organisations: OrganisationService
    colleges: CollegeService
    enrolments: EnrolmentService
    privacy: PrivacyService
    wellness: WellnessService
    analyses: AnalysisService

    @classmethod
    def build(cls, store: Store, *, circle_max: int = 5) -> Services:
        """The services over a store."""
        audit = AuditService(store)
        return cls(
            audit,
            MemberService(store, audit),
            CircleService(store, audit, circle_max),
            HelpService(store, audit),
            OrganisationService(store, audit),
            CollegeService(store, audit),
            EnrolmentService(store, audit),
            PrivacyService(store, audit),
            WellnessService(store, audit),
            AnalysisService(store, audit),
        )
