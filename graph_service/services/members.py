"""Use-cases for members: register, update, pause or leave, read and list."""

from __future__ import annotations

from datetime import date

from graph_service.auth import Principal, Role
from graph_service.domain import ErrorCode, Member, MemberStatus, Outcome, Page, Tie
from graph_service.events import ChangeKind, change
from graph_service.ids import new_id
from graph_service.services import access
from graph_service.services.audit import AuditService
from graph_service.services.validation import clean_name, invalid, now_iso, today
from graph_service.store import Store, changes
from graph_service.store import members as store_members


class MemberService:
    """Members of the network."""

    def __init__(self, store: Store, audit: AuditService) -> None:
        self.store = store
        self.audit = audit

    async def register(
        self, principal: Principal, display_name: str, member_since: date | None
    ) -> Outcome[Member]:
        """Register a new member (coordinators)."""
        access.require_coordinator(principal)
        name, error = clean_name(display_name, "displayName")
        if error:
            return Outcome(errors=[error])
        since = member_since or today()
        if since > today():
            return Outcome(errors=[invalid("memberSince", "must not be in the future")])
        member = await store_members.create_member(self.store, new_id(), name, since, now_iso())
        await self.audit.record(principal, "member.register", member.id)
        await changes.record(self.store, change(ChangeKind.MEMBER_REGISTERED, member.id))
        return Outcome(member)

    async def update(
        self, principal: Principal, member_id: str, display_name: str
    ) -> Outcome[Member]:
        """Change a display name (coordinators, or the member themself)."""
        access.require_member_access(principal, member_id)
        name, error = clean_name(display_name, "displayName")
        if error:
            return Outcome(errors=[error])
        member = await store_members.update_display_name(self.store, member_id, name, now_iso())
        if member is None:
            return Outcome.fail(ErrorCode.NOT_FOUND, "no such member", "id")
        await self.audit.record(principal, "member.update", member_id)
        await changes.record(self.store, change(ChangeKind.MEMBER_RENAMED, member_id))
        return Outcome(member)

    async def set_status(
        self, principal: Principal, member_id: str, status: MemberStatus
    ) -> Outcome[Member]:
        """Make a member ACTIVE, PAUSED or LEFT (coordinators)."""
        access.require_coordinator(principal)
        member = await store_members.set_status(self.store, member_id, status, now_iso())
        if member is None:
            return Outcome.fail(ErrorCode.NOT_FOUND, "no such member", "id")
        await self.audit.record(principal, f"member.status.{status.value.lower()}", member_id)
        await changes.record(self.store, change(ChangeKind.MEMBER_STATUS, member_id))
        return Outcome(member)

    async def get(self, principal: Principal, member_id: str) -> Member | None:
        """One member, if the caller may see them (FORBIDDEN otherwise)."""
        access.require_member_access(principal, member_id)
        member = (await store_members.members_by_ids(self.store, [member_id])).get(member_id)
        if member is not None:
            await self.audit.record_reads([(principal, "member.read", member_id)])
        return member

    async def get_with_circle(
        self, principal: Principal, member_id: str, include_ended: bool
    ) -> tuple[Member | None, list[Tie]]:
        """`get`, with the member's circle read in the same statement (for the circle's reader)."""
        access.require_member_access(principal, member_id)
        members, circles = await store_members.members_with_circles(
            self.store, [member_id], include_ended
        )
        member = members.get(member_id)
        if member is not None:
            await self.audit.record_reads([(principal, "member.read", member_id)])
        return member, circles.get(member_id, [])

    async def with_circles(
        self, ids: list[str], include_ended: bool
    ) -> tuple[dict[str, Member], dict[str, list[Tie]]]:
        """Members and their circles in one read, for loaders whose caller has been checked."""
        return await store_members.members_with_circles(self.store, ids, include_ended)

    async def by_ids(self, ids: list[str]) -> dict[str, Member]:
        """Members by id, for loaders whose caller has been checked already."""
        return await store_members.members_by_ids(self.store, ids)

    async def page(
        self,
        principal: Principal,
        *,
        offset: int,
        limit: int,
        status: MemberStatus | None,
        search: str | None,
    ) -> Page[Member]:
        """Members by name: all for coordinators, only themself for a member."""
        access.require_staff_or_member(principal)
        only = principal.member_id if principal.role is Role.MEMBER else None
        return await store_members.list_members(
            self.store, offset=offset, limit=limit, status=status, search=search, only=only
        )
