"""GraphQL object types that link to each other: members, ties, help, colleges, courses, ...

Each of these leads back to the others (Member.enrolments -> Enrolment.course -> Course.college
-> ...; Enrolment.member -> Member), so they share one module and imports stay one-way. Types
that link to none of them have modules of their own, which this one imports.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from graph_service.api.audit_types import AuditEventType
from graph_service.api.context import Context
from graph_service.api.node import Node
from graph_service.api.pagination import Connection, page_window
from graph_service.api.programme_types import MemberProgrammeFields
from graph_service.api.supporter_types import OrganisationType, PersonType
from graph_service.auth import Role
from graph_service.domain import (
    College,
    Consent,
    Course,
    CourseCategory,
    Enrolment,
    EnrolmentStatus,
    Help,
    HelpBalance,
    HelpKind,
    Organisation,
    Relation,
    SupporterKind,
    Tie,
    TieStatus,
)
from graph_service.ids import to_global_id
from graph_service.services import access, invitations

strawberry.enum(Relation, description="What a supporter is to the member.")
strawberry.enum(TieStatus, description="INVITED awaits the named member's answer.")
strawberry.enum(HelpKind, description="Kinds of help one member gives another.")
strawberry.enum(CourseCategory, description="What a course is about.")
strawberry.enum(EnrolmentStatus, description="Where an enrolment stands.")


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@strawberry.type(name="Member", description="A network member.")
class MemberType(MemberProgrammeFields):
    @strawberry.field(description="The member's supporters: INVITED and ACTIVE, or every tie.")
    async def circle(self, info: Info[Context, None], include_ended: bool = False) -> list[TieType]:
        await self._guard(info, "circle.read")
        ties = await info.context.loaders.circles.load((self.internal_id, include_ended))
        return [TieType.of(tie) for tie in ties]

    @strawberry.field(description="Open ties in which this member supports others.")
    async def supporting(self, info: Info[Context, None]) -> list[TieType]:
        await self._guard(info, "circle.read")
        ties = await info.context.loaders.supporting.load((self.internal_id, False))
        return [TieType.of(tie) for tie in ties]

    @strawberry.field(description="Other members' requests that this member support them.")
    async def invitations(self, info: Info[Context, None]) -> list[TieType]:
        await self._guard(info, "circle.read")
        ties = await info.context.loaders.supporting.load((self.internal_id, True))
        return [TieType.of(tie) for tie in ties]

    @strawberry.field(description="Help given and received, and how much was confirmed.")
    async def help_balance(self, info: Info[Context, None]) -> HelpBalanceType:
        await self._guard(info, "help.read")
        balance = await info.context.loaders.balances.load(self.internal_id)
        return HelpBalanceType.of(balance)

    @strawberry.field(description="Help recorded by the other party, awaiting confirmation.")
    async def pending_help(self, info: Info[Context, None]) -> list[HelpType]:
        await self._guard(info, "help.read")
        return [
            HelpType.of(h) for h in await info.context.loaders.pending_help.load(self.internal_id)
        ]

    @strawberry.field(description="The member's enrolments on partner colleges' courses.")
    async def enrolments(self, info: Info[Context, None]) -> list[EnrolmentType]:
        await self._guard(info, "enrolments.read")
        found = await info.context.loaders.enrolments_of_members.load(self.internal_id)
        return [EnrolmentType.of(e) for e in found]

    @strawberry.field(description="The colleges this member lets link their enrolments.")
    async def consents(self, info: Info[Context, None]) -> list[ConsentType]:
        await self._guard(info, "enrolments.read")
        found = await info.context.loaders.consents_of.load(self.internal_id)
        return [ConsentType(record=c) for c in found]

    @strawberry.field(description="The wellness tools this member practises.")
    async def wellness_tools(self, info: Info[Context, None]) -> list[str]:
        await self._guard(info, "member.read")
        return await info.context.loaders.tools_of.load(self.internal_id)

    @strawberry.field(description="Who looked at or changed this member's data, and when.")
    async def access_log(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[AuditEventType]:
        offset, limit = page_window(first, after)
        page = await info.context.services.audit.access_log(
            info.context.principal, self.internal_id, offset=offset, limit=limit
        )
        events = [AuditEventType(record=e) for e in page.items]
        return Connection.of(events, page.offset, page.total)


SupporterType = Annotated[MemberType | PersonType | OrganisationType, strawberry.union("Supporter")]


@strawberry.type(name="Tie", description="One tie of a member's circle.")
class TieType(Node):
    record: strawberry.Private[Tie]
    relation: Relation
    status: TieStatus
    since: datetime
    ended_at: datetime | None
    reciprocal: bool = strawberry.field(description="True when the supporter is supported back.")

    @classmethod
    def of(cls, tie: Tie) -> TieType:
        """The type for a tie."""
        return cls(
            id=strawberry.ID(to_global_id("Tie", tie.id)),
            record=tie,
            relation=tie.relation,
            status=tie.status,
            since=datetime.fromisoformat(tie.since),
            ended_at=_when(tie.ended_at),
            reciprocal=tie.reciprocal,
        )

    @strawberry.field(description="The member whose circle this tie belongs to.")
    def member(self) -> MemberType:
        return MemberType.ref(self.record.member_id, self.record.member_name)

    @strawberry.field(
        description="True while the supporter is a member who has not accepted, and you are "
        "not them: their name shows as 'Invited member' until they accept."
    )
    def supporter_name_withheld(self, info: Info[Context, None]) -> bool:
        return invitations.withheld(info.context.principal, self.record)

    @strawberry.field
    async def supporter(self, info: Info[Context, None]) -> SupporterType:
        supporter = invitations.as_seen_by(info.context.principal, self.record).supporter
        if supporter.kind is SupporterKind.MEMBER:
            return MemberType.ref(supporter.id, supporter.name)
        if supporter.kind is SupporterKind.PERSON:
            return PersonType(
                id=strawberry.ID(to_global_id("Person", supporter.id)), display_name=supporter.name
            )
        if supporter.organisation_kind is not None:
            return OrganisationType.of(
                Organisation(supporter.id, supporter.name, supporter.organisation_kind)
            )
        org = await info.context.loaders.organisations.load(supporter.id)
        assert org is not None
        return OrganisationType.of(org)


@strawberry.type(name="Help", description="Help one member gave another.")
class HelpType(Node):
    record: strawberry.Private[Help]
    on: date
    kind: HelpKind
    confirmed: bool
    confirmed_at: datetime | None

    @classmethod
    def of(cls, help_: Help) -> HelpType:
        """The type for a help record."""
        return cls(
            id=strawberry.ID(to_global_id("Help", help_.id)),
            record=help_,
            on=help_.on,
            kind=help_.kind,
            confirmed=help_.confirmed,
            confirmed_at=_when(help_.confirmed_at),
        )

    @strawberry.field(name="from", description="Who gave the help.")
    def giver(self) -> MemberType:
        return MemberType.ref(self.record.from_member_id)

    @strawberry.field(name="to", description="Who received the help.")
    def receiver(self) -> MemberType:
        return MemberType.ref(self.record.to_member_id)


@strawberry.type(name="HelpBalance", description="Help given and received by a member.")
class HelpBalanceType:
    given: int
    received: int
    confirmed_given: int
    confirmed_received: int

    @classmethod
    def of(cls, balance: HelpBalance) -> HelpBalanceType:
        """The type for a balance."""
        return cls(
            given=balance.given,
            received=balance.received,
            confirmed_given=balance.confirmed_given,
            confirmed_received=balance.confirmed_received,
        )


def _sees_consenting_only(info: Info[Context, None]) -> bool:
    return info.context.principal.role is Role.COLLEGE


@strawberry.type(name="College", description="A partner further-education college.")
class CollegeType(Node):
    internal_id: strawberry.Private[str]
    name: str

    @classmethod
    def of(cls, college: College) -> CollegeType:
        """The type for a college."""
        return cls(
            id=strawberry.ID(to_global_id("College", college.id)),
            internal_id=college.id,
            name=college.name,
        )

    @strawberry.field(description="The college's courses (retired ones on request).")
    async def courses(
        self, info: Info[Context, None], include_retired: bool = False
    ) -> list[CourseType]:
        courses = await info.context.loaders.courses_of.load((self.internal_id, include_retired))
        return [CourseType.of(course) for course in courses]


@strawberry.type(name="Course", description="A course a partner college offers.")
class CourseType(Node):
    record: strawberry.Private[Course]
    title: str
    category: CourseCategory
    term: str
    retired: bool

    @classmethod
    def of(cls, course: Course) -> CourseType:
        """The type for a course."""
        return cls(
            id=strawberry.ID(to_global_id("Course", course.id)),
            record=course,
            title=course.title,
            category=course.category,
            term=course.term,
            retired=course.retired,
        )

    @strawberry.field
    async def college(self, info: Info[Context, None]) -> CollegeType:
        college = await info.context.loaders.colleges.load(self.record.college_id)
        assert college is not None
        return CollegeType.of(college)

    async def _enrolments(self, info: Info[Context, None]) -> list[Enrolment]:
        principal = info.context.principal
        access.require_college_or_coordinator(principal)
        access.require_college_access(principal, self.record.college_id)
        key = (self.record.id, _sees_consenting_only(info))
        return await info.context.loaders.enrolments_of_courses.load(key)

    @strawberry.field(description="How many enrolments this course has (that the caller may see).")
    async def enrolment_count(self, info: Info[Context, None]) -> int:
        return len(await self._enrolments(info))

    @strawberry.field(description="Enrolments (a college sees only consenting members).")
    async def enrolments(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[EnrolmentType]:
        offset, limit = page_window(first, after)
        every = await self._enrolments(info)
        page = [EnrolmentType.of(e) for e in every[offset : offset + limit]]
        return Connection.of(page, offset, len(every))


@strawberry.type(name="Enrolment", description="A member's enrolment on a course.")
class EnrolmentType(Node):
    record: strawberry.Private[Enrolment]
    status: EnrolmentStatus
    enrolled_on: date
    completed_on: date | None

    @classmethod
    def of(cls, enrolment: Enrolment) -> EnrolmentType:
        """The type for an enrolment."""
        return cls(
            id=strawberry.ID(to_global_id("Enrolment", enrolment.id)),
            record=enrolment,
            status=enrolment.status,
            enrolled_on=enrolment.enrolled_on,
            completed_on=enrolment.completed_on,
        )

    @strawberry.field(description="The member (a college sees only their id and display name).")
    def member(self) -> MemberType:
        return MemberType.ref(self.record.member_id, self.record.member_name)

    @strawberry.field
    async def course(self, info: Info[Context, None]) -> CourseType:
        course = await info.context.loaders.courses.load(self.record.course_id)
        assert course is not None
        return CourseType.of(course)


@strawberry.type(name="Consent", description="A college the member lets link their enrolments.")
class ConsentType:
    record: strawberry.Private[Consent]

    @strawberry.field
    def granted_at(self) -> datetime:
        return datetime.fromisoformat(self.record.granted_at)

    @strawberry.field
    async def college(self, info: Info[Context, None]) -> CollegeType:
        college = await info.context.loaders.colleges.load(self.record.college_id)
        assert college is not None
        return CollegeType.of(college)
