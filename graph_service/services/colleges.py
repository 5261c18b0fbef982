"""Use-cases for partner colleges and their courses, and the seed of the partners."""

from __future__ import annotations

from graph_service.auth import Principal, Role
from graph_service.domain import College, Course, CourseCategory, ErrorCode, Outcome
from graph_service.errors import InvalidInput
from graph_service.events import ChangeKind, change
from graph_service.ids import new_id
from graph_service.services import access
from graph_service.services.audit import AuditService
from graph_service.services.seed_data import COLLEGES
from graph_service.services.validation import clean_name, now_iso
from graph_service.store import Store, changes
from graph_service.store import colleges as store_colleges
from graph_service.store import organisations as store_organisations


class CollegeService:
    """Partner colleges and courses."""

    def __init__(self, store: Store, audit: AuditService) -> None:
        self.store = store
        self.audit = audit

    async def create_college(self, principal: Principal, name: str) -> Outcome[College]:
        """Add a partner college (coordinators)."""
        access.require_coordinator(principal)
        clean, error = clean_name(name, "name")
        if error:
            return Outcome(errors=[error])
        college = await store_colleges.create_college(self.store, new_id(), clean, now_iso())
        await self.audit.record(principal, "college.create", college.id)
        await changes.record(self.store, change(ChangeKind.COLLEGE_ADDED))
        return Outcome(college)

    async def create_course(
        self,
        principal: Principal,
        college_id: str,
        title: str,
        category: CourseCategory,
        term: str,
    ) -> Outcome[Course]:
        """Add a course to a college (coordinators)."""
        access.require_coordinator(principal)
        clean_title, error = clean_name(title, "title")
        clean_term, term_error = clean_name(term, "term")
        if error or term_error:
            return Outcome(errors=[e for e in (error, term_error) if e])
        course = await store_colleges.create_course(
            self.store, new_id(), college_id, clean_title, category, clean_term, now_iso()
        )
        if course is None:
            return Outcome.fail(ErrorCode.NOT_FOUND, "no such college", "collegeId")
        await self.audit.record(principal, "course.create", course.id)
        await changes.record(self.store, change(ChangeKind.COURSE_ADDED))
        return Outcome(course)

    async def update_course(
        self,
        principal: Principal,
        course_id: str,
        *,
        title: str | None,
        category: CourseCategory | None,
        term: str | None,
    ) -> Outcome[Course]:
        """Change a course (coordinators)."""
        access.require_coordinator(principal)
        cleaned: dict[str, str | None] = {"title": title, "term": term}
        for field, value in cleaned.items():
            if value is not None:
                cleaned[field], error = clean_name(value, field)
                if error:
                    return Outcome(errors=[error])
        course = await store_colleges.update_course(
            self.store,
            course_id,
            title=cleaned["title"],
            category=category,
            term=cleaned["term"],
            now=now_iso(),
        )
        if course is None:
            return Outcome.fail(ErrorCode.NOT_FOUND, "no such course", "id")
        await self.audit.record(principal, "course.update", course.id)
        await changes.record(self.store, change(ChangeKind.COURSE_CHANGED))
        return Outcome(course)

    async def retire_course(self, principal: Principal, course_id: str) -> Outcome[Course]:
        """Stop offering a course; it and its enrolments stay (coordinators)."""
        access.require_coordinator(principal)
        course = await store_colleges.retire_course(self.store, course_id, now_iso())
        if course is None:
            return Outcome.fail(ErrorCode.NOT_FOUND, "no such course", "id")
        await self.audit.record(principal, "course.retire", course.id)
        await changes.record(self.store, change(ChangeKind.COURSE_CHANGED))
        return Outcome(course)

    async def colleges(self, principal: Principal) -> list[College]:
        """Colleges: a college token sees only its own."""
        only = principal.college_id if principal.role is Role.COLLEGE else None
        return await store_colleges.colleges(self.store, only)

    async def college(self, principal: Principal, college_id: str | None) -> College | None:
        """One college; a college token's own when no id is given."""
        if college_id is None:
            if principal.role is not Role.COLLEGE:
                raise InvalidInput("give the college's id")
            college_id = principal.college_id
        assert college_id is not None
        if principal.role is Role.COLLEGE:
            access.require_college_access(principal, college_id)
        return (await store_colleges.colleges_by_ids(self.store, [college_id])).get(college_id)

    async def course(self, principal: Principal, course_id: str) -> Course | None:
        """One course; a college token sees only its own."""
        course = (await store_colleges.courses_by_ids(self.store, [course_id])).get(course_id)
        if course is not None and principal.role is Role.COLLEGE:
            access.require_college_access(principal, course.college_id)
        return course

    async def by_ids(self, ids: list[str]) -> dict[str, College]:
        """Colleges by id (public information)."""
        return await store_colleges.colleges_by_ids(self.store, ids)

    async def courses_by_ids(self, ids: list[str]) -> dict[str, Course]:
        """Courses by id (public information)."""
        return await store_colleges.courses_by_ids(self.store, ids)

    async def courses_of(
        self, college_ids: list[str], include_retired: bool
    ) -> dict[str, list[Course]]:
        """Each college's courses (public information)."""
        return await store_colleges.courses_of(self.store, college_ids, include_retired)

    async def seed(self) -> list[str]:
        """Create the partner colleges, their courses and support services unless they exist."""
        now, lines = now_iso(), []
        for college in COLLEGES:
            await store_colleges.ensure_college(self.store, college.id, college.name, now)
            await store_organisations.ensure_organisation(
                self.store, college.support_id, college.support_name, college.support_kind, now
            )
            for course in college.courses:
                await store_colleges.ensure_course(
                    self.store,
                    course.id,
                    college.id,
                    course.title,
                    course.category,
                    course.term,
                    now,
                )
            lines.append(f"{college.name}: {len(college.courses)} courses")
        return lines
