"""GraphQL types for the programme: sessions, attendance, crisis plans and the trends report.

Sessions lead to members (their facilitators) and members to sessions (their attendance), so
the member and tie types are named lazily here; MemberType gains its programme fields from
``MemberProgrammeFields``.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from graph_service.analysis.disclosure import Shown
from graph_service.api.context import Context
from graph_service.api.member_fields import MemberFields
from graph_service.api.node import Node
from graph_service.api.pagination import Connection, page_window
from graph_service.domain_programme import Attendance, CrisisPlan, ProgrammeSession, Weekday
from graph_service.errors import PermissionDenied
from graph_service.ids import to_global_id
from graph_service.services.attendance import may_take
from graph_service.services.trends import TrendMonth, TrendsReport

if TYPE_CHECKING:
    from graph_service.api.types import MemberType, TieType

strawberry.enum(Weekday, description="A day of the week.")

MemberRef = Annotated["MemberType", strawberry.lazy("graph_service.api.types")]
TieRef = Annotated["TieType", strawberry.lazy("graph_service.api.types")]


@strawberry.type(name="ProgrammeSession", description="A session of the WRAP programme.")
class ProgrammeSessionType(Node):
    record: strawberry.Private[ProgrammeSession]
    kind: str = strawberry.field(description="WRAP class, Wellness Toolbox, ... (sessionKinds).")
    on: date
    start_time: time
    minutes: int
    venue: str
    cancelled: bool
    staff_facilitators: list[str] = strawberry.field(description="Coordinators who lead it.")
    register_taken_at: datetime | None

    @classmethod
    def of(cls, session: ProgrammeSession) -> ProgrammeSessionType:
        """The type for a session."""
        return cls(
            id=strawberry.ID(to_global_id("ProgrammeSession", session.id)),
            record=session,
            kind=session.kind,
            on=session.on,
            start_time=session.start_time,
            minutes=session.minutes,
            venue=session.venue,
            cancelled=session.cancelled,
            staff_facilitators=list(session.staff),
            register_taken_at=datetime.fromisoformat(session.register_taken_at)
            if session.register_taken_at
            else None,
        )

    @strawberry.field(description="Members who lead the session.")
    def facilitators(self) -> list[MemberRef]:
        from graph_service.api.types import MemberType

        return [MemberType.ref(p.id, p.name) for p in self.record.facilitators]

    def _guard(self, info: Info[Context, None]) -> None:
        if not may_take(info.context.principal, self.record):
            raise PermissionDenied("only coordinators and the session's facilitators see this")

    @strawberry.field(description="How many members came (coordinators, its facilitators).")
    def attendance_count(self, info: Info[Context, None]) -> int:
        self._guard(info)
        return self.record.attended

    @strawberry.field(description="The members on the register (coordinators, its facilitators).")
    async def attendees(self, info: Info[Context, None]) -> list[MemberRef]:
        from graph_service.api.types import MemberType

        self._guard(info)
        found = await info.context.services.attendance.present(
            info.context.principal, self.record.id
        )
        return [MemberType.ref(p.id, p.name) for p in found]


@strawberry.type(name="Attendance", description="A session a member came to.")
class AttendanceType:
    session: ProgrammeSessionType
    recorded_at: datetime

    @classmethod
    def of(cls, attendance: Attendance) -> AttendanceType:
        """The type for one attendance."""
        return cls(
            session=ProgrammeSessionType.of(attendance.session),
            recorded_at=datetime.fromisoformat(attendance.recorded_at),
        )


@strawberry.type(name="CrisisPlan", description="Who to involve in a crisis, and who not.")
class CrisisPlanType:
    record: strawberry.Private[CrisisPlan]
    not_involved: list[str] = strawberry.field(
        description="People who must not be involved: names only, seen by the member and "
        "coordinators alone, never suggested, refused as supporters."
    )
    updated_at: datetime | None

    @classmethod
    def of(cls, plan: CrisisPlan) -> CrisisPlanType:
        """The type for a plan."""
        return cls(
            record=plan,
            not_involved=list(plan.not_involved),
            updated_at=datetime.fromisoformat(plan.updated_at) if plan.updated_at else None,
        )

    @strawberry.field(description="Supporters in the circle to involve in a crisis.")
    def involved(self) -> list[TieRef]:
        from graph_service.api.types import TieType

        return [TieType.of(tie) for tie in self.record.involved]


@strawberry.type
class MemberProgrammeFields(MemberFields):
    """The member's programme fields (MemberType inherits them)."""

    @strawberry.field(description="Programme sessions the member came to, newest first.")
    async def attendance(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[AttendanceType]:
        await self._guard(info, "attendance.read")
        offset, limit = page_window(first, after)
        found = await info.context.loaders.attendance_of.load(self.internal_id)
        page = [AttendanceType.of(a) for a in found[offset : offset + limit]]
        return Connection.of(page, offset, len(found))

    @strawberry.field(description="The member's crisis plan (the member and coordinators).")
    async def crisis_plan(self, info: Info[Context, None]) -> CrisisPlanType | None:
        await self._guard(info, "crisis.read")
        plan = await info.context.loaders.crisis_plans.load(self.internal_id)
        if plan is None:
            return None
        return CrisisPlanType.of(
            info.context.services.crisis.as_seen_by(info.context.principal, plan)
        )


@strawberry.type(
    name="TrendFigure",
    description="A published figure: its text (a number, '<5' for a small count, '*' when "
    "withheld so that a small count cannot be worked out) and its value unless withheld.",
)
class TrendFigureType:
    text: str
    value: float | None

    @classmethod
    def of(cls, shown: Shown) -> TrendFigureType:
        """The type for a published figure."""
        return cls(text=shown.text, value=shown.value)


@strawberry.type(name="TrendMonth", description="One month, as it stood on its last day.")
class TrendMonthType:
    month: str = strawberry.field(description="YYYY-MM")
    members: TrendFigureType
    with_two_personal_supporters: TrendFigureType
    share_with_two_personal_supporters: TrendFigureType
    flagged_isolated: TrendFigureType
    reciprocity_rate: TrendFigureType
    help_confirmed: TrendFigureType
    sessions_held: TrendFigureType
    attendances: TrendFigureType
    median_circle_size: TrendFigureType

    @classmethod
    def of(cls, month: TrendMonth) -> TrendMonthType:
        """The type for one month of the report."""
        f = {key: TrendFigureType.of(shown) for key, shown in month.figures.items()}
        return cls(
            month=month.month,
            members=f["members"],
            with_two_personal_supporters=f["two_personal"],
            share_with_two_personal_supporters=f["two_personal_share"],
            flagged_isolated=f["flagged"],
            reciprocity_rate=f["reciprocity"],
            help_confirmed=f["help_confirmed"],
            sessions_held=f["sessions_held"],
            attendances=f["attendances"],
            median_circle_size=f["median_circle"],
        )


@strawberry.type(
    name="ProgrammeTrends", description="Figures month by month, small numbers withheld."
)
class TrendsType:
    months: list[TrendMonthType]
    min_count: int = strawberry.field(description="Counts below this show as '<minCount'.")

    @classmethod
    def of(cls, report: TrendsReport) -> TrendsType:
        """The type for the report."""
        return cls(months=[TrendMonthType.of(m) for m in report.months], min_count=report.min_count)
