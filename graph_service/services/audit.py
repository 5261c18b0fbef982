"""The audit trail: every write, and every coordinator read of a member's data."""

from __future__ import annotations

from contextvars import ContextVar

from graph_service.auth import Principal, Role
from graph_service.domain import AuditEvent, Page
from graph_service.ids import new_id, to_global_id
from graph_service.logs import client_request_id_var, request_id_var
from graph_service.services import access
from graph_service.services.group_commit import GroupCommit
from graph_service.services.validation import now_iso
from graph_service.store import Store
from graph_service.store import audit as store_audit

# Events name their target by the API's global id; the action's first word says its type.
TARGET_TYPES = {
    "member": "Member",
    "circle": "Member",
    "help": "Member",
    "consent": "Member",
    "enrolment": "Member",
    "enrolments": "Member",
    "organisation": "Organisation",
    "college": "College",
    "course": "Course",
    "analysis": "Network",
    "isolation": "Member",  # a coordinator told of a member's isolation change (subscription)
    "session": "ProgrammeSession",
    "schedule": "SessionSchedule",
    "attendance": "Member",
    "crisis": "Member",
}


def actor_id(principal: Principal) -> str:
    """Who acted: the member's or college's global id, or the coordinator token's subject."""
    return (
        principal.member_global_id
        or principal.college_global_id
        or principal.subject
        or principal.role.value
    )


def event(principal: Principal, action: str, target_id: str) -> AuditEvent:
    """One event for the current request, about an object named by its internal id."""
    return AuditEvent(
        id=new_id(),
        at=now_iso(),
        actor_id=actor_id(principal),
        actor_role=principal.role.value,
        action=action,
        target_id=to_global_id(TARGET_TYPES[action.split(".", 1)[0]], target_id),
        request_id=request_id_var.get(),
        client_request_id=client_request_id_var.get(),
    )


# Coordinators' reads during one request, appended together when the request's result is ready.
_pending_reads: ContextVar[list[AuditEvent] | None] = ContextVar("pending_reads", default=None)


class AuditService:
    """Appends and reads audit events (there is no way to change or delete one)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.group = GroupCommit(store)

    async def record(self, principal: Principal, action: str, *target_ids: str) -> None:
        """Append one event per target of an action."""
        unique = dict.fromkeys(t for t in target_ids if t)
        await self.group.append([event(principal, action, t) for t in unique])

    async def record_reads(self, reads: list[tuple[Principal, str, str]]) -> None:
        """Record coordinators' reads (principal, action, member id).

        Inside a request they wait for `flush_reads`, so a request appends once; elsewhere
        they are appended at once.
        """
        events = [
            event(principal, action, target)
            for principal, action, target in reads
            if principal.role is Role.COORDINATOR
        ]
        pending = _pending_reads.get()
        if pending is None:
            await self.group.append(events)
        else:
            seen = {(e.action, e.target_id) for e in pending}
            pending.extend(e for e in events if (e.action, e.target_id) not in seen)

    def collect_reads(self) -> None:
        """Start collecting this request's reads."""
        _pending_reads.set([])

    async def flush_reads(self) -> None:
        """Append the reads collected in this request, in one statement."""
        pending = _pending_reads.get()
        _pending_reads.set(None)
        if pending:
            await self.group.append(pending)

    async def log(
        self,
        principal: Principal,
        *,
        offset: int,
        limit: int,
        target_id: str | None,
        actor: str | None,
    ) -> Page[AuditEvent]:
        """The whole trail, for coordinators."""
        access.require_coordinator(principal)
        return await store_audit.events(
            self.store, offset=offset, limit=limit, target_id=target_id, actor_id=actor
        )

    async def access_log(
        self, principal: Principal, member_id: str, *, offset: int, limit: int
    ) -> Page[AuditEvent]:
        """The events that concern a member, for that member and coordinators."""
        access.require_member_access(principal, member_id)
        target = to_global_id("Member", member_id)
        return await store_audit.events(self.store, offset=offset, limit=limit, target_id=target)
