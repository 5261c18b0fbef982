"""Use-cases for attendance: a session's register (taken by a facilitator or a coordinator),
and the sessions a member came to.

A member who facilitates a session ticks only the group's regulars (members who came to this
kind of session in the ``REGULAR_WEEKS`` before it), those already on its register and its
facilitators: they learn no one else's name, and a newcomer is added by a coordinator.
"""

from __future__ import annotations

from datetime import timedelta

from graph_service.auth import Principal, Role
from graph_service.domain import ErrorCode, Outcome, UserError
from graph_service.domain_programme import Attendance, Person, ProgrammeSession, Register
from graph_service.errors import PermissionDenied
from graph_service.events import ChangeKind, change
from graph_service.services import access
from graph_service.services.audit import AuditService, actor_id
from graph_service.services.programme import leads
from graph_service.services.validation import invalid, now_iso, today
from graph_service.store import Store, changes
from graph_service.store import attendance as store_attendance
from graph_service.store import members as store_members
from graph_service.store import programme as store_programme

REGULAR_WEEKS = 12
MAX_REGISTER = 200
NOT_REGULAR = UserError(
    "present",
    "not one of this group's members: a coordinator can add someone new to the register",
    ErrorCode.NOT_FOUND,
)


def may_take(principal: Principal, session: ProgrammeSession) -> bool:
    """Coordinators, and members who facilitate the session, take its register."""
    return principal.role is Role.COORDINATOR or leads(principal, session)


class AttendanceService:
    """Registers and attendance."""

    def __init__(self, store: Store, audit: AuditService) -> None:
        self.store = store
        self.audit = audit

    async def _session(self, principal: Principal, session_id: str) -> ProgrammeSession | None:
        access.require_staff_or_member(principal)
        found = (await store_programme.sessions_by_ids(self.store, [session_id])).get(session_id)
        if found is not None and not may_take(principal, found):
            raise PermissionDenied(
                "only coordinators and the session's facilitators see its register"
            )
        return found

    async def _regulars(self, session: ProgrammeSession) -> list[Person]:
        since = session.on - timedelta(weeks=REGULAR_WEEKS)
        return await store_attendance.regulars(self.store, session.kind, since, session.on)

    async def register(self, principal: Principal, session_id: str) -> Register | None:
        """A session's register and the group's regulars (coordinators, its facilitators)."""
        session = await self._session(principal, session_id)
        if session is None:
            return None
        present = await store_attendance.present(self.store, session_id)
        regulars = await self._regulars(session)
        named = dict.fromkeys(p.id for p in [*present, *regulars])
        await self.audit.record_reads([(principal, "attendance.read", m) for m in named])
        return Register(session, tuple(present), tuple(regulars))

    async def present(self, principal: Principal, session_id: str) -> list[Person]:
        """The members on a session's register (coordinators, its facilitators)."""
        if await self._session(principal, session_id) is None:
            return []
        found = await store_attendance.present(self.store, session_id)
        await self.audit.record_reads([(principal, "attendance.read", p.id) for p in found])
        return found

    async def take(
        self, principal: Principal, session_id: str, member_ids: list[str]
    ) -> Outcome[ProgrammeSession]:
        """Make the session's register exactly these members."""
        session = await self._session(principal, session_id)
        if session is None:
            return Outcome.fail(ErrorCode.NOT_FOUND, "no such session", "sessionId")
        if session.cancelled:
            return Outcome(errors=[invalid("sessionId", "this session was cancelled")])
        if session.on > today():
            return Outcome(errors=[invalid("sessionId", "this session has not happened yet")])
        wanted = list(dict.fromkeys(member_ids))
        if len(wanted) > MAX_REGISTER:
            return Outcome(errors=[invalid("present", f"at most {MAX_REGISTER} members")])
        if principal.role is Role.MEMBER:
            # The same answer for a stranger and a made-up id: nothing is learnt about either.
            known = {p.id for p in await store_attendance.present(self.store, session_id)}
            known |= {p.id for p in await self._regulars(session)}
            known |= {p.id for p in session.facilitators}
            if any(member_id not in known for member_id in wanted):
                return Outcome(errors=[NOT_REGULAR])
        found = await store_members.members_by_ids(self.store, wanted) if wanted else {}
        if len(found) != len(wanted):
            return Outcome.fail(ErrorCode.NOT_FOUND, "no member has this id", "present")
        changed = await store_attendance.take_register(
            self.store, session_id, wanted, now=now_iso(), by=actor_id(principal)
        )
        if changed is None:
            return Outcome.fail(ErrorCode.NOT_FOUND, "no such session", "sessionId")
        added, removed = changed
        await self.audit.record(principal, "session.register", session_id)
        await self.audit.record(principal, "attendance.record", *sorted(added | removed))
        # Named or not, the register makes the session one that took place.
        await changes.record(
            self.store, change(ChangeKind.REGISTER_TAKEN, *sorted(added | removed))
        )
        return Outcome(
            (await store_programme.sessions_by_ids(self.store, [session_id]))[session_id]
        )

    async def of_member(self, principal: Principal, member_id: str) -> list[Attendance]:
        """The sessions a member came to, newest first (the member, coordinators)."""
        access.require_member_access(principal, member_id)
        await self.audit.record_reads([(principal, "attendance.read", member_id)])
        return (await store_attendance.attended_by(self.store, [member_id]))[member_id]

    async def attended_by(self, member_ids: list[str]) -> dict[str, list[Attendance]]:
        """Sessions by member, for loaders whose caller has been checked already."""
        return await store_attendance.attended_by(self.store, member_ids)
