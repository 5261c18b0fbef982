"""Use-cases and rules: permissions, the circle limit, consent. No Cypher, no GraphQL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from graph_service.analysis.stopped import STOPPED_DEFAULTS, StoppedRule
from graph_service.auth import Role
from graph_service.services.analyses import AnalysisService
from graph_service.services.attendance import AttendanceService
from graph_service.services.audit import AuditService
from graph_service.services.circles import CircleService
from graph_service.services.colleges import CollegeService
from graph_service.services.connect_codes import ConnectCodeService
from graph_service.services.crisis import CrisisPlanService
from graph_service.services.enrolments import EnrolmentService
from graph_service.services.help import HelpService
from graph_service.services.idempotency import IdempotencyService
from graph_service.services.members import MemberService
from graph_service.services.organisations import OrganisationService
from graph_service.services.privacy import PrivacyService
from graph_service.services.programme import ProgrammeService
from graph_service.services.security import SecurityEventService
from graph_service.services.signin import DEFAULT_SESSION_HOURS, SigninService
from graph_service.services.trends import TrendsService
from graph_service.services.wellness import WellnessService
from graph_service.settings import Settings
from graph_service.store import Store, Tx
from graph_service.store.connection import deadline

__all__ = ["Services", "deadline"]

T = TypeVar("T")


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
    idempotency: IdempotencyService
    security: SecurityEventService
    store: Store

    async def atomically(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run `work` (its writes, reads and audit events) as one transaction, or not at all."""

        async def unit(_tx: Tx) -> T:
            return await work()

        return await self.store.atomically(unit)

    connect_codes: ConnectCodeService
    programme: ProgrammeService
    attendance: AttendanceService
    crisis: CrisisPlanService
    trends: TrendsService

    @classmethod
    def build(
        cls,
        store: Store,
        *,
        circle_max: int = 5,
        link_minutes: float = 15,
        session_hours: Mapping[Role, float] = DEFAULT_SESSION_HOURS,
        idempotency_hours: float = 24.0,
        client_secret: str | None = None,
        connect_code_minutes: float = 24 * 60,
        cooling_off_days: int = 30,
        trends_min_count: int = 5,
        stopped: StoppedRule = STOPPED_DEFAULTS,
    ) -> Services:
        """The services over a store."""
        audit = AuditService(store)
        # By name: several services take the same arguments, and the order is easy to break.
        return cls(
            audit=audit,
            members=MemberService(store, audit),
            circles=CircleService(store, audit, circle_max, cooling_off_days),
            help=HelpService(store, audit),
            organisations=OrganisationService(store, audit),
            colleges=CollegeService(store, audit),
            enrolments=EnrolmentService(store, audit),
            privacy=PrivacyService(store, audit),
            wellness=WellnessService(store, audit),
            analyses=AnalysisService(store, audit, stopped=stopped),
            signin=SigninService(
                store, audit, link_minutes=link_minutes, session_hours=session_hours
            ),
            connect_codes=ConnectCodeService(store, audit, minutes=connect_code_minutes),
            programme=ProgrammeService(store, audit),
            attendance=AttendanceService(store, audit),
            crisis=CrisisPlanService(store, audit),
            trends=TrendsService(store, audit, trends_min_count),
            idempotency=IdempotencyService(store, idempotency_hours),
            security=SecurityEventService(store, client_secret=client_secret),
            store=store,
        )

    @classmethod
    def for_settings(cls, store: Store, settings: Settings) -> Services:
        """The services over a store, with the limits and lifetimes the settings give."""
        return cls.build(
            store,
            circle_max=settings.circle_max,
            link_minutes=settings.signin_link_minutes,
            session_hours={Role(name): hours for name, hours in settings.session_hours.items()},
            connect_code_minutes=settings.connect_code_minutes,
            cooling_off_days=settings.invite_cooling_off_days,
            trends_min_count=settings.trends_min_count,
            stopped=StoppedRule(
                settings.stopped_attending_first,
                settings.stopped_attending_at_least,
                settings.stopped_attending_last,
            ),
            idempotency_hours=settings.idempotency_key_hours,
            # Client addresses in security events are hashed with a key from AUTH_SECRET.
            client_secret=settings.auth_secret.get_secret_value() if settings.auth_secret else None,
        )
