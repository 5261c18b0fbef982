"""Use-cases for consent and enrolments: members choose which colleges may link them."""

from __future__ import annotations

from datetime import date, timedelta

from graph_service.auth import Principal, Role
from graph_service.domain import Consent, Enrolment, EnrolmentStatus, ErrorCode, Outcome, UserError
from graph_service.events import ChangeKind, change
from graph_service.ids import new_id
from graph_service.services import access
from graph_service.services.audit import AuditService
from graph_service.services.validation import invalid, now_iso, today
from graph_service.store import Store, changes
from graph_service.store import colleges as store_colleges
from graph_service.store import consents as store_consents
from graph_service.store import enrolments as store_enrolments
from graph_service.store.enrolments import NewEnrolment

# One error for "no such member" and "no consent": a college must not learn who is a member.
NO_CONSENT = UserError(
    "memberId",
    "no consenting member with this id: the member must share with your college first",
    ErrorCode.NO_CONSENT,
)
MAX_DAYS_AHEAD = 366


def enrolment_dates_error(
    status: EnrolmentStatus, enrolled_on: date, completed_on: date | None
) -> UserError | None:
    """Why these dates cannot stand for this status, if they cannot."""
    if enrolled_on > today() + timedelta(days=MAX_DAYS_AHEAD):
        return invalid("enrolledOn", "must be within a year from today")
    if status is EnrolmentStatus.COMPLETED:
        if completed_on is None:
            return invalid("completedOn", "a completed enrolment needs completedOn")
        if completed_on < enrolled_on or completed_on > today():
            return invalid("completedOn", "must be between enrolledOn and today")
    elif completed_on is not None:
        return invalid("completedOn", "only a COMPLETED enrolment has completedOn")
    return None


class EnrolmentService:
    """Consent to share, and the enrolments colleges link."""

    def __init__(self, store: Store, audit: AuditService) -> None:
        self.store = store
        self.audit = audit

    async def grant(self, principal: Principal, college_id: str) -> Outcome[Consent]:
        """A member lets a college link and see their enrolments."""
        member_id = access.require_member(principal)
        consent = await store_consents.grant(self.store, member_id, college_id, now_iso())
        if consent is None:
            return Outcome.fail(ErrorCode.NOT_FOUND, "no such college", "collegeId")
        await self.audit.record(principal, "consent.grant", member_id)
        await changes.record(self.store, change(ChangeKind.CONSENT_GRANTED, member_id))
        return Outcome(consent)

    async def revoke(self, principal: Principal, college_id: str) -> Outcome[bool]:
        """A member withdraws consent; past enrolments stay but the college no longer sees them."""
        member_id = access.require_member(principal)
        if not await store_consents.revoke(self.store, member_id, college_id, now_iso()):
            return Outcome.fail(
                ErrorCode.NOT_FOUND, "you do not share with this college", "collegeId"
            )
        await self.audit.record(principal, "consent.revoke", member_id)
        await changes.record(self.store, change(ChangeKind.CONSENT_REVOKED, member_id))
        return Outcome(True)

    async def link(
        self, principal: Principal, member_id: str, course_id: str, enrolled_on: date
    ) -> Outcome[Enrolment]:
        """Link a member's enrolment (the course's college for consenting members, coordinators)."""
        course = (await store_colleges.courses_by_ids(self.store, [course_id])).get(course_id)
        if course is None:
            access.require_college_or_coordinator(principal)
            return Outcome.fail(ErrorCode.NOT_FOUND, "no such course", "courseId")
        access.require_college_access(principal, course.college_id)
        error = enrolment_dates_error(EnrolmentStatus.ENROLLED, enrolled_on, None)
        if error:
            return Outcome(errors=[error])
        college = principal.role is Role.COLLEGE
        new = NewEnrolment(new_id(), member_id, course_id, enrolled_on)
        refusal = await store_enrolments.link(
            self.store, new, require_consent=college, linked_by=principal.subject, now=now_iso()
        )
        if refusal == "missing":
            if college:
                return Outcome(errors=[NO_CONSENT])
            return Outcome.fail(ErrorCode.NOT_FOUND, "no such member", "memberId")
        if refusal == "no-consent":
            return Outcome(errors=[NO_CONSENT])
        if refusal == "enrolled":
            return Outcome.fail(
                ErrorCode.ALREADY_ENROLLED, "already enrolled on this course", "courseId"
            )
        enrolment = await store_enrolments.by_id(self.store, new.id)
        await self.audit.record(principal, "enrolment.link", member_id)
        await changes.record(self.store, change(ChangeKind.ENROLMENT_LINKED, member_id))
        return Outcome(enrolment)

    async def update(
        self,
        principal: Principal,
        enrolment_id: str,
        status: EnrolmentStatus,
        completed_on: date | None,
    ) -> Outcome[Enrolment]:
        """Mark an enrolment ENROLLED, COMPLETED or WITHDRAWN."""
        access.require_college_or_coordinator(principal)
        enrolment = await store_enrolments.by_id(self.store, enrolment_id)
        if enrolment is None:
            return Outcome.fail(ErrorCode.NOT_FOUND, "no such enrolment", "id")
        access.require_college_access(principal, enrolment.college_id)
        if principal.role is Role.COLLEGE and not enrolment.consenting:
            # The member revoked consent: to the college the enrolment no longer exists.
            return Outcome.fail(ErrorCode.NOT_FOUND, "no such enrolment", "id")
        error = enrolment_dates_error(status, enrolment.enrolled_on, completed_on)
        if error:
            return Outcome(errors=[error])
        await store_enrolments.update(self.store, enrolment_id, status, completed_on, now_iso())
        await self.audit.record(principal, "enrolment.update", enrolment.member_id)
        await changes.record(self.store, change(ChangeKind.ENROLMENT_UPDATED, enrolment.member_id))
        return Outcome(await store_enrolments.by_id(self.store, enrolment_id))

    async def get(self, principal: Principal, enrolment_id: str) -> Enrolment | None:
        """One enrolment: for its member, coordinators, and its college while consent lasts."""
        enrolment = await store_enrolments.by_id(self.store, enrolment_id)
        if enrolment is None:
            return None
        if principal.role is Role.COLLEGE:
            access.require_college_access(principal, enrolment.college_id)
            if not enrolment.consenting:
                return None
        else:
            access.require_member_access(principal, enrolment.member_id)
            await self.audit.record_reads([(principal, "enrolments.read", enrolment.member_id)])
        return enrolment

    async def of_courses(
        self, course_ids: list[str], consenting_only: bool
    ) -> dict[str, list[Enrolment]]:
        """Enrolments by course (caller checked already)."""
        return await store_enrolments.of_courses(self.store, course_ids, consenting_only)

    async def of_members(self, member_ids: list[str]) -> dict[str, list[Enrolment]]:
        """Enrolments by member (caller checked already)."""
        return await store_enrolments.of_members(self.store, member_ids)

    async def consents_of(self, member_ids: list[str]) -> dict[str, list[Consent]]:
        """Current consents by member (caller checked already)."""
        return await store_consents.consents_of(self.store, member_ids)
