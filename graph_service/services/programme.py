"""Use-cases for the programme: kinds of session, sessions, recurring schedules, cancelling."""

from __future__ import annotations

from datetime import date, timedelta

from graph_service.auth import Principal, Role
from graph_service.domain import ErrorCode, MemberStatus, Outcome, Page, UserError
from graph_service.domain_programme import NewSession, ProgrammeSession, Schedule
from graph_service.errors import PermissionDenied
from graph_service.events import ChangeKind, change
from graph_service.ids import new_id
from graph_service.services import access
from graph_service.services.audit import AuditService, actor_id
from graph_service.services.validation import clean_name, invalid, now_iso, today
from graph_service.store import Store, changes
from graph_service.store import attendance as store_attendance
from graph_service.store import members as store_members
from graph_service.store import programme as store_programme
from graph_service.store.programme import SessionRow

# The list coordinators start from; they extend it with addSessionKind, as with wellness tools.
DEFAULT_KINDS = ("WRAP class", "Wellness Toolbox", "Recovery education", "Peer group")
MIN_MINUTES, MAX_MINUTES = 15, 8 * 60
MAX_FACILITATORS = 6
MAX_SCHEDULE_DAYS = 366
MAX_SCHEDULED = 400
# Sessions are put on within ten years of today either way: a date beyond it is a typing slip
# (and the register's look-back from a date near year 1 would not be a date at all).
WITHIN = timedelta(days=3653)


def _outside(day: date) -> bool:
    return not today() - WITHIN <= day <= today() + WITHIN


def _weekly_days(schedule: Schedule) -> list[date]:
    """The days of a schedule: its weekdays between its two dates (both included)."""
    numbers = {day.number for day in schedule.weekdays}
    span = (schedule.last - schedule.first).days
    days = (schedule.first + timedelta(days=i) for i in range(span + 1))
    return [day for day in days if day.weekday() in numbers]


class ProgrammeService:
    """The programme's sessions."""

    def __init__(self, store: Store, audit: AuditService) -> None:
        self.store = store
        self.audit = audit

    async def kinds(self) -> list[str]:
        """The kinds of session (not personal data)."""
        return await store_programme.kinds(self.store)

    async def available(self, principal: Principal) -> list[str]:
        """The kinds of session, for coordinators and members (colleges see nothing of it)."""
        access.require_staff_or_member(principal)
        return await self.kinds()

    async def add_kind(self, principal: Principal, name: str) -> Outcome[str]:
        """Add a kind of session to the list (coordinators)."""
        access.require_coordinator(principal)
        clean, error = clean_name(name, "name")
        if error:
            return Outcome(errors=[error])
        # "wrap class" is the WRAP class already on the list, not a second kind beside it.
        known = {kind.casefold(): kind for kind in await self.kinds()}
        if clean.casefold() in known:
            return Outcome(known[clean.casefold()])
        added = await store_programme.ensure_kind(self.store, clean)
        await changes.record(self.store, change(ChangeKind.SESSION_KIND_ADDED))
        return Outcome(added)

    async def seed(self) -> list[str]:
        """Put the default kinds on the list."""
        return [await store_programme.ensure_kind(self.store, name) for name in DEFAULT_KINDS]

    async def create(self, principal: Principal, new: NewSession) -> Outcome[ProgrammeSession]:
        """Put one session on the programme (coordinators)."""
        access.require_coordinator(principal)
        checked = await self._checked(new)
        if isinstance(checked, list):
            return Outcome(errors=checked)
        row = SessionRow(
            new_id(),
            checked.kind,
            new.on,
            new.start_time,
            new.minutes,
            checked.venue,
            checked.staff,
        )
        await store_programme.create_sessions(
            self.store,
            [row],
            list(checked.facilitator_ids),
            now=now_iso(),
            by=actor_id(principal),
        )
        await self.audit.record(principal, "session.create", row.id)
        await changes.record(self.store, change(ChangeKind.SESSIONS_ADDED))
        return Outcome((await store_programme.sessions_by_ids(self.store, [row.id]))[row.id])

    async def schedule(
        self, principal: Principal, schedule: Schedule
    ) -> Outcome[list[ProgrammeSession]]:
        """Generate a recurring schedule's sessions (coordinators)."""
        access.require_coordinator(principal)
        if not schedule.weekdays:
            return Outcome(errors=[invalid("weekdays", "choose at least one day of the week")])
        if schedule.last < schedule.first:
            return Outcome(errors=[invalid("to", "must not be before from")])
        for day, field in ((schedule.first, "from"), (schedule.last, "to")):
            if _outside(day):
                return Outcome(errors=[invalid(field, "must be within ten years of today")])
        if (schedule.last - schedule.first).days >= MAX_SCHEDULE_DAYS:
            return Outcome(
                errors=[invalid("to", f"a schedule spans at most {MAX_SCHEDULE_DAYS} days")]
            )
        days = _weekly_days(schedule)
        if not days:
            return Outcome(errors=[invalid("weekdays", "none of these days falls in the dates")])
        if len(days) > MAX_SCHEDULED:
            return Outcome(errors=[invalid("weekdays", f"at most {MAX_SCHEDULED} sessions")])
        first = NewSession(
            schedule.kind,
            days[0],
            schedule.start_time,
            schedule.minutes,
            schedule.venue,
            schedule.facilitator_ids,
            schedule.staff,
        )
        checked = await self._checked(first)
        if isinstance(checked, list):
            return Outcome(errors=checked)
        rows = [
            SessionRow(
                new_id(),
                checked.kind,
                day,
                schedule.start_time,
                schedule.minutes,
                checked.venue,
                checked.staff,
            )
            for day in days
        ]
        schedule_id = new_id()
        await store_programme.create_sessions(
            self.store,
            rows,
            list(checked.facilitator_ids),
            now=now_iso(),
            by=actor_id(principal),
            schedule={
                "id": schedule_id,
                "kind": checked.kind,
                "weekdays": [day.value for day in schedule.weekdays],
                "startTime": schedule.start_time.strftime("%H:%M"),
                "first": schedule.first.isoformat(),
                "last": schedule.last.isoformat(),
                "minutes": schedule.minutes,
                "venue": checked.venue,
            },
        )
        await self.audit.record(principal, "schedule.create", schedule_id)
        await changes.record(self.store, change(ChangeKind.SESSIONS_ADDED))
        made = await store_programme.sessions_by_ids(self.store, [row.id for row in rows])
        return Outcome([made[row.id] for row in rows])

    async def cancel(self, principal: Principal, session_id: str) -> Outcome[ProgrammeSession]:
        """Cancel a session that has no register yet (coordinators)."""
        access.require_coordinator(principal)
        found = (await store_programme.sessions_by_ids(self.store, [session_id])).get(session_id)
        if found is None:
            return Outcome.fail(ErrorCode.NOT_FOUND, "no such session", "id")
        if found.attended:
            return Outcome(errors=[invalid("id", "this session has a register: it took place")])
        if not await store_programme.cancel_session(self.store, session_id, now_iso()):
            return Outcome(errors=[invalid("id", "this session has a register: it took place")])
        await self.audit.record(principal, "session.cancel", session_id)
        await changes.record(self.store, change(ChangeKind.SESSION_CANCELLED))
        return Outcome(
            (await store_programme.sessions_by_ids(self.store, [session_id]))[session_id]
        )

    async def sessions(
        self, principal: Principal, first: date, last: date, *, offset: int, limit: int
    ) -> Page[ProgrammeSession]:
        """Sessions between two dates: all for coordinators, their own for member facilitators."""
        access.require_staff_or_member(principal)
        mine = principal.member_id if principal.role is Role.MEMBER else None
        found, total = await store_programme.sessions_between(
            self.store, first, last, facilitator=mine, offset=offset, limit=limit
        )
        return Page(found, offset, total)

    async def get(self, principal: Principal, session_id: str) -> ProgrammeSession | None:
        """One session: for coordinators, its member facilitators and the members who came."""
        access.require_staff_or_member(principal)
        found = (await store_programme.sessions_by_ids(self.store, [session_id])).get(session_id)
        if found is None or principal.role is Role.COORDINATOR or leads(principal, found):
            return found
        present = await store_attendance.present(self.store, session_id)
        if not any(person.id == principal.member_id for person in present):
            raise PermissionDenied("you may not see this session")
        return found

    async def schedule_size(self, principal: Principal, schedule_id: str) -> int:
        """How many sessions a schedule made (coordinators; 0 for no such schedule)."""
        access.require_coordinator(principal)
        return await store_programme.schedule_size(self.store, schedule_id)

    async def by_ids(self, session_ids: list[str]) -> dict[str, ProgrammeSession]:
        """Sessions by id (caller checked already)."""
        return await store_programme.sessions_by_ids(self.store, session_ids)

    async def _checked(self, new: NewSession) -> NewSession | list[UserError]:
        """The session with its kind and names in their stored form, or what is wrong."""
        errors: list[UserError] = []
        if _outside(new.on):
            errors.append(invalid("on", "must be within ten years of today"))
        known = {name.casefold(): name for name in await self.kinds()}
        kind = known.get(new.kind.strip().casefold())
        if kind is None:
            errors.append(
                invalid("kind", f"not on the list; choose from {', '.join(known.values())}")
            )
        venue, error = clean_name(new.venue, "venue")
        errors += [error] if error else []
        if not MIN_MINUTES <= new.minutes <= MAX_MINUTES:
            errors.append(invalid("minutes", f"must be {MIN_MINUTES} to {MAX_MINUTES}"))
        staff = []
        for name in dict.fromkeys(new.staff):
            clean, error = clean_name(name, "staff")
            staff.append(clean)
            errors += [error] if error else []
        ids = list(dict.fromkeys(new.facilitator_ids))
        if len(ids) + len(staff) > MAX_FACILITATORS:
            errors.append(invalid("facilitatorIds", f"at most {MAX_FACILITATORS} facilitators"))
        members = await store_members.members_by_ids(self.store, ids) if ids else {}
        if any(m not in members or members[m].status is not MemberStatus.ACTIVE for m in ids):
            errors.append(
                UserError("facilitatorIds", "no active member has this id", ErrorCode.NOT_FOUND)
            )
        if errors:
            return errors
        assert kind is not None
        return NewSession(
            kind, new.on, new.start_time, new.minutes, venue, tuple(ids), tuple(staff)
        )


def leads(principal: Principal, session: ProgrammeSession) -> bool:
    """True when the principal is a member who facilitates this session."""
    return principal.role is Role.MEMBER and any(
        person.id == principal.member_id for person in session.facilitators
    )
