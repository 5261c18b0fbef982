"""Root fields for colleges, courses, consent and enrolments."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from graph_service.api.context import Context
from graph_service.api.mutations import _attempt, _id
from graph_service.api.payloads import UserErrorType
from graph_service.api.queries import internal_id
from graph_service.api.types import CollegeType, ConsentType, CourseType, EnrolmentType
from graph_service.domain import (
    College,
    Course,
    CourseCategory,
    Enrolment,
    EnrolmentStatus,
    Outcome,
)
from graph_service.services import access


@strawberry.type
class CollegePayload:
    college: CollegeType | None
    user_errors: list[UserErrorType]


@strawberry.type
class CoursePayload:
    course: CourseType | None
    user_errors: list[UserErrorType]


@strawberry.type
class EnrolmentPayload:
    enrolment: EnrolmentType | None
    user_errors: list[UserErrorType]


@strawberry.type(description="The colleges the member shares with after the change.")
class ConsentsPayload:
    consents: list[ConsentType]
    user_errors: list[UserErrorType]


@strawberry.input
class CreateCollegeInput:
    name: str


@strawberry.input
class CreateCourseInput:
    college_id: strawberry.ID
    title: str
    category: CourseCategory
    term: str


@strawberry.input(description="Fields left out stay as they are.")
class UpdateCourseInput:
    id: strawberry.ID
    title: str | None = None
    category: CourseCategory | None = None
    term: str | None = None


@strawberry.input
class LinkEnrolmentInput:
    member_id: strawberry.ID
    course_id: strawberry.ID
    enrolled_on: date


def _college(outcome: Outcome[College]) -> CollegePayload:
    return CollegePayload(
        college=CollegeType.of(outcome.value) if outcome.value else None,
        user_errors=UserErrorType.list_of(outcome.errors),
    )


def _course(outcome: Outcome[Course]) -> CoursePayload:
    return CoursePayload(
        course=CourseType.of(outcome.value) if outcome.value else None,
        user_errors=UserErrorType.list_of(outcome.errors),
    )


def _enrolment(outcome: Outcome[Enrolment]) -> EnrolmentPayload:
    return EnrolmentPayload(
        enrolment=EnrolmentType.of(outcome.value) if outcome.value else None,
        user_errors=UserErrorType.list_of(outcome.errors),
    )


async def _consents(info: Info[Context, None], outcome: Outcome[object]) -> ConsentsPayload:
    # Only members have consents; a bad id from anyone else must still be refused as such.
    member_id = access.require_member(info.context.principal)
    current = await info.context.services.enrolments.consents_of([member_id])
    return ConsentsPayload(
        consents=[ConsentType(record=c) for c in current[member_id]],
        user_errors=UserErrorType.list_of(outcome.errors),
    )


@strawberry.type
class CollegeQuery:
    @strawberry.field(description="Partner colleges (a college token sees only itself).")
    async def colleges(self, info: Info[Context, None]) -> list[CollegeType]:
        found = await info.context.services.colleges.colleges(info.context.principal)
        return [CollegeType.of(c) for c in found]

    @strawberry.field(description="One college; a college token's own when no id is given.")
    async def college(
        self, info: Info[Context, None], id: strawberry.ID | None = None
    ) -> CollegeType | None:
        college_id = internal_id(id, "College") if id is not None else None
        found = await info.context.services.colleges.college(info.context.principal, college_id)
        return CollegeType.of(found) if found else None


@strawberry.type
class CollegeMutation:
    @strawberry.mutation(description="Add a partner college (coordinators).")
    async def create_college(
        self, info: Info[Context, None], input: CreateCollegeInput
    ) -> CollegePayload:
        ctx = info.context
        return _college(await ctx.services.colleges.create_college(ctx.principal, input.name))

    @strawberry.mutation(description="Add a course to a college (coordinators).")
    async def create_course(
        self, info: Info[Context, None], input: CreateCourseInput
    ) -> CoursePayload:
        ctx = info.context
        return _course(
            await _attempt(
                lambda: ctx.services.colleges.create_course(
                    ctx.principal,
                    _id(input.college_id, "College", "collegeId"),
                    input.title,
                    input.category,
                    input.term,
                )
            )
        )

    @strawberry.mutation(description="Change a course's title, category or term (coordinators).")
    async def update_course(
        self, info: Info[Context, None], input: UpdateCourseInput
    ) -> CoursePayload:
        ctx = info.context
        return _course(
            await _attempt(
                lambda: ctx.services.colleges.update_course(
                    ctx.principal,
                    _id(input.id, "Course", "id"),
                    title=input.title,
                    category=input.category,
                    term=input.term,
                )
            )
        )

    @strawberry.mutation(description="Stop offering a course; its enrolments stay (coordinators).")
    async def retire_course(self, info: Info[Context, None], id: strawberry.ID) -> CoursePayload:
        ctx = info.context
        return _course(
            await _attempt(
                lambda: ctx.services.colleges.retire_course(ctx.principal, _id(id, "Course", "id"))
            )
        )

    @strawberry.mutation(description="Let a college link and see your enrolments (members).")
    async def grant_college_consent(
        self, info: Info[Context, None], college_id: strawberry.ID
    ) -> ConsentsPayload:
        ctx = info.context
        outcome = await _attempt(
            lambda: ctx.services.enrolments.grant(
                ctx.principal, _id(college_id, "College", "collegeId")
            )
        )
        return await _consents(info, outcome)  # type: ignore[arg-type]

    @strawberry.mutation(description="Stop sharing with a college; it no longer sees you.")
    async def revoke_college_consent(
        self, info: Info[Context, None], college_id: strawberry.ID
    ) -> ConsentsPayload:
        ctx = info.context
        outcome = await _attempt(
            lambda: ctx.services.enrolments.revoke(
                ctx.principal, _id(college_id, "College", "collegeId")
            )
        )
        return await _consents(info, outcome)  # type: ignore[arg-type]

    @strawberry.mutation(description="Link a consenting member's enrolment on your course.")
    async def link_enrolment(
        self, info: Info[Context, None], input: LinkEnrolmentInput
    ) -> EnrolmentPayload:
        ctx = info.context
        return _enrolment(
            await _attempt(
                lambda: ctx.services.enrolments.link(
                    ctx.principal,
                    _id(input.member_id, "Member", "memberId"),
                    _id(input.course_id, "Course", "courseId"),
                    input.enrolled_on,
                )
            )
        )

    @strawberry.mutation(description="Mark an enrolment ENROLLED, COMPLETED or WITHDRAWN.")
    async def update_enrolment(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        status: EnrolmentStatus,
        completed_on: date | None = None,
    ) -> EnrolmentPayload:
        ctx = info.context
        return _enrolment(
            await _attempt(
                lambda: ctx.services.enrolments.update(
                    ctx.principal, _id(id, "Enrolment", "id"), status, completed_on
                )
            )
        )
