"""Use-cases for reciprocal help: record it, confirm it (two parties), balance it."""

from __future__ import annotations

from datetime import date

from graph_service.auth import Principal, Role
from graph_service.domain import ErrorCode, Help, HelpBalance, HelpKind, Outcome, UserError
from graph_service.errors import PermissionDenied
from graph_service.events import ChangeKind, change
from graph_service.ids import new_id
from graph_service.services import access
from graph_service.services.audit import AuditService
from graph_service.services.validation import invalid, now_iso, today
from graph_service.store import Store, changes
from graph_service.store import help as store_help

COORDINATOR_RECORDER = "coordinator"


class HelpService:
    """Help given and received between members."""

    def __init__(self, store: Store, audit: AuditService) -> None:
        self.store = store
        self.audit = audit

    async def record(
        self, principal: Principal, from_id: str, to_id: str, on: date, kind: HelpKind
    ) -> Outcome[Help]:
        """Record help (coordinators, or a member who is the giver or the receiver)."""
        access.require_staff_or_member(principal)
        if principal.role is Role.MEMBER and principal.member_id not in (from_id, to_id):
            raise PermissionDenied("a member records only help they gave or received")
        if from_id == to_id:
            return Outcome(errors=[invalid("toMemberId", "giver and receiver must differ")])
        if on > today():
            return Outcome(errors=[invalid("on", "must not be in the future")])
        recorder = principal.member_id or COORDINATOR_RECORDER
        member = principal.role is Role.MEMBER
        help_ = await store_help.record_help(
            self.store,
            new_id(),
            from_id,
            to_id,
            on,
            kind,
            recorder,
            now_iso(),
            within_circle=member,
        )
        if help_ is None and member:
            # One answer whether the other member is a stranger, paused or does not exist.
            other = "toMemberId" if principal.member_id == from_id else "fromMemberId"
            return Outcome.fail(ErrorCode.NOT_FOUND, "no member in your circle has this id", other)
        if help_ is None:
            return Outcome.fail(ErrorCode.NOT_FOUND, "no such member", "fromMemberId")
        await self.audit.record(principal, "help.record", from_id, to_id)
        await changes.record(self.store, change(ChangeKind.HELP_RECORDED, from_id, to_id))
        return Outcome(help_)

    async def confirm(self, principal: Principal, help_id: str) -> Outcome[Help]:
        """Confirm help as the other party (a member who did not record it)."""
        me = access.require_member(principal)
        help_ = await self._answerable(me, help_id, "confirm")
        if isinstance(help_, UserError):
            return Outcome(errors=[help_])
        if help_.confirmed or not await store_help.confirm_help(self.store, help_id, me, now_iso()):
            return Outcome.fail(ErrorCode.NOT_PENDING, "already confirmed", "id")
        confirmed = await store_help.help_by_id(self.store, help_id)
        await self.audit.record(principal, "help.confirm", help_.from_member_id, help_.to_member_id)
        touched = (help_.from_member_id, help_.to_member_id)
        await changes.record(self.store, change(ChangeKind.HELP_CONFIRMED, *touched))
        return Outcome(confirmed)

    async def reject(self, principal: Principal, help_id: str) -> Outcome[Help]:
        """Say the other party's record is wrong: it is removed (its audit event stays)."""
        # Whoever may confirm a record may reject it instead, and only while it is unconfirmed.
        me = access.require_member(principal)
        help_ = await self._answerable(me, help_id, "reject")
        if isinstance(help_, UserError):
            return Outcome(errors=[help_])
        if help_.confirmed or not await store_help.reject_help(self.store, help_id):
            return Outcome.fail(ErrorCode.NOT_PENDING, "already confirmed", "id")
        await self.audit.record(principal, "help.reject", help_.from_member_id, help_.to_member_id)
        touched = (help_.from_member_id, help_.to_member_id)
        await changes.record(self.store, change(ChangeKind.HELP_REJECTED, *touched))
        return Outcome(help_)

    async def _answerable(self, me: str, help_id: str, verb: str) -> Help | UserError:
        """The record if ``me`` may confirm or reject it."""
        help_ = await store_help.help_by_id(self.store, help_id)
        if help_ is None:
            return UserError("id", "no such help record", ErrorCode.NOT_FOUND)
        if me not in (help_.from_member_id, help_.to_member_id):
            raise PermissionDenied(f"only the giver or the receiver may {verb} help")
        if help_.recorded_by == me:
            return invalid("id", f"the other party must {verb} help you recorded")
        if help_.recorded_by == COORDINATOR_RECORDER and me != help_.to_member_id:
            # A giver confirming their own help, recorded by someone else, proves nothing.
            return invalid("id", f"help a coordinator recorded is {verb}ed by its receiver")
        return help_

    async def latest(self, principal: Principal, member_id: str, limit: int) -> list[Help]:
        """A member's latest help records, given or received (the member, coordinators)."""
        access.require_member_access(principal, member_id)
        await self.audit.record_reads([(principal, "help.read", member_id)])
        return await store_help.latest_help(self.store, member_id, limit)

    async def pending_for(self, member_ids: list[str]) -> dict[str, list[Help]]:
        """Help awaiting each member's confirmation (caller checked already)."""
        return await store_help.pending_for(self.store, member_ids)

    async def balances(self, member_ids: list[str]) -> dict[str, HelpBalance]:
        """Help balances by member (caller checked already)."""
        return await store_help.balances(self.store, member_ids)

    async def get(self, principal: Principal, help_id: str) -> Help | None:
        """One help record, for its two parties and coordinators."""
        access.require_staff_or_member(principal)
        help_ = await store_help.help_by_id(self.store, help_id)
        if (
            help_ is not None
            and principal.role is Role.MEMBER
            and principal.member_id
            not in (
                help_.from_member_id,
                help_.to_member_id,
            )
        ):
            raise PermissionDenied("you may not see this help record")
        if help_ is not None:
            reads = [
                (principal, "help.read", m) for m in (help_.from_member_id, help_.to_member_id)
            ]
            await self.audit.record_reads(reads)
        return help_
