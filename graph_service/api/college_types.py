"""GraphQL types for partner colleges, courses, enrolments and consent."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from graph_service.api.context import Context
from graph_service.api.pagination import Connection, page_window
from graph_service.api.types import MemberType, Node
from graph_service.auth import Role
from graph_service.domain import (
    College,
    Consent,
    Course,
    CourseCategory,
    Enrolment,
    EnrolmentStatus,
)
from graph_service.ids import to_global_id
from graph_service.services import access

strawberry.enum(CourseCategory, description="What a course is about.")
strawberry.enum(EnrolmentStatus, description="Where an enrolment stands.")


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
