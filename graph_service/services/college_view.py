"""What a college's own pages show: its courses with counts, and one course's enrolments.

The same rules as the API's College and Course fields: a college sees its own courses only,
and of their enrolments only those of members who share with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph_service.auth import Principal, Role
from graph_service.domain import College, Course, Enrolment
from graph_service.errors import PermissionDenied
from graph_service.services import Services, access


@dataclass(frozen=True)
class CourseCount:
    """A course and how many enrolments on it the caller may see."""

    course: Course
    enrolments: int


@dataclass(frozen=True)
class CollegeCourses:
    """A college and its courses (retired ones last)."""

    college: College
    courses: list[CourseCount]


@dataclass(frozen=True)
class CourseEnrolments:
    """A course and the enrolments on it the caller may see."""

    course: Course
    enrolments: list[Enrolment]


def _consenting_only(principal: Principal) -> bool:
    return principal.role is Role.COLLEGE


async def college_courses(services: Services, principal: Principal) -> CollegeCourses:
    """The signed-in college's courses, each with its count of consenting members' enrolments."""
    college = await services.colleges.college(principal, None)
    if college is None:
        raise PermissionDenied("this college no longer exists")
    courses = (await services.colleges.courses_of([college.id], include_retired=True))[college.id]
    enrolments = await services.enrolments.of_courses(
        [c.id for c in courses], consenting_only=_consenting_only(principal)
    )
    counted = [CourseCount(c, len(enrolments[c.id])) for c in courses]
    counted.sort(key=lambda c: c.course.retired)  # stable: by title within each group
    return CollegeCourses(college, counted)


async def course_enrolments(
    services: Services, principal: Principal, course_id: str
) -> CourseEnrolments | None:
    """One course and its enrolments; None for no such course (another college's: refused)."""
    access.require_college_or_coordinator(principal)
    course = await services.colleges.course(principal, course_id)
    if course is None:
        return None
    access.require_college_access(principal, course.college_id)
    enrolments = await services.enrolments.of_courses(
        [course.id], consenting_only=_consenting_only(principal)
    )
    return CourseEnrolments(course, enrolments[course.id])
