"""Use-cases and rules: permissions, the circle limit, consent. No Cypher, no GraphQL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graph_service.auth import Role
from graph_service.services.analyses import AnalysisService
from graph_service.services.audit import AuditService
from graph_service.services.circles import CircleService
from graph_service.services.colleges import CollegeService
from graph_service.services.enrolments import EnrolmentService
from graph_service.services.help import HelpService
from graph_service.services.members import MemberService
from graph_service.services.organisations import OrganisationService
from graph_service.services.privacy import PrivacyService
from graph_service.services.signin import DEFAULT_SESSION_HOURS, SigninService
from graph_service.services.wellness import WellnessService
from graph_service.settings import Settings
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
    signin: SigninService

    @classmethod
    def build(
        cls,
        store: Store,
        *,
        circle_max: int = 5,
        link_minutes: float = 15,
        session_hours: Mapping[Role, float] = DEFAULT_SESSION_HOURS,
    ) -> Services:
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
            SigninService(store, audit, link_minutes=link_minutes, session_hours=session_hours),
        )

    @classmethod
    def for_settings(cls, store: Store, settings: Settings) -> Services:
        """The services over a store, with the limits and lifetimes the settings give."""
        return cls.build(
            store,
            circle_max=settings.circle_max,
            link_minutes=settings.signin_link_minutes,
            session_hours={Role(name): hours for name, hours in settings.session_hours.items()},
        )
