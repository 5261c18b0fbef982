"""Use-cases for circles: add, change and end supporters; answer invitations.

How members invite members (connect codes, uniform refusals, names withheld until accepted,
cooling-off after a decline) is in services/invitations.py.
"""

from __future__ import annotations

from graph_service.auth import Principal, Role
from graph_service.domain import (
    OPEN_TIE_STATUSES,
    ErrorCode,
    Outcome,
    Relation,
    Supporter,
    SupporterKind,
    Tie,
    TieStatus,
    UserError,
)
from graph_service.errors import PermissionDenied
from graph_service.events import ChangeKind, change
from graph_service.ids import new_id
from graph_service.services import access, crisis, invitations
from graph_service.services.audit import AuditService
from graph_service.services.validation import clean_name, invalid, now_iso
from graph_service.store import Store, changes
from graph_service.store import circles as store_circles
from graph_service.store.circles import AddRefusal, NewTie

REFUSALS: dict[AddRefusal, UserError] = {
    AddRefusal.MEMBER_MISSING: UserError("memberId", "no such member", ErrorCode.NOT_FOUND),
    AddRefusal.MEMBER_NOT_ACTIVE: UserError(
        "memberId", "the member is paused or has left", ErrorCode.MEMBER_NOT_ACTIVE
    ),
    AddRefusal.SUPPORTER_MISSING: UserError("supporter", "no such supporter", ErrorCode.NOT_FOUND),
    AddRefusal.SUPPORTER_NOT_ACTIVE: UserError(
        "supporterMemberId", "the supporter is paused or has left", ErrorCode.MEMBER_NOT_ACTIVE
    ),
    AddRefusal.ALREADY_IN_CIRCLE: UserError(
        "supporter", "already in this circle", ErrorCode.ALREADY_IN_CIRCLE
    ),
}


class CircleService:
    """Members' circles of supporters."""

    def __init__(
        self, store: Store, audit: AuditService, circle_max: int, cooling_off_days: int = 30
    ) -> None:
        self.store = store
        self.audit = audit
        self.circle_max = circle_max
        self.cooling_off_days = cooling_off_days

    async def add_supporter(
        self,
        principal: Principal,
        member_id: str,
        relation: Relation,
        *,
        supporter_member_id: str | None = None,
        person_name: str | None = None,
        organisation_id: str | None = None,
        connect_code: str | None = None,
    ) -> Outcome[Tie]:
        """Add a supporter to a circle (coordinators, or the member for their own circle)."""
        # A member names another member by their connect code, or by id when that member has
        # them as an active supporter already; coordinators name members by id.
        access.require_member_access(principal, member_id)
        given = [
            v
            for v in (supporter_member_id, connect_code, person_name, organisation_id)
            if v is not None
        ]
        if len(given) != 1:
            return Outcome(
                errors=[
                    invalid(
                        "supporter",
                        "give exactly one of supporterMemberId, connectCode, person"
                        " or organisationId",
                    )
                ]
            )
        if (organisation_id is not None) != (relation is Relation.ORGANISATION):
            return Outcome(
                errors=[
                    invalid(
                        "relation",
                        "ORGANISATION is the relation for organisations, and only for them",
                    )
                ]
            )
        if supporter_member_id == member_id:
            return Outcome.fail(
                ErrorCode.SELF_SUPPORT, "a member cannot support themself", "supporterMemberId"
            )
        refused = await crisis.kept_out(
            self.store,
            member_id,
            person_name=person_name,
            supporter_member_id=supporter_member_id,
            connect_code=connect_code,
        )
        if refused is not None:
            return Outcome(errors=[refused])
        tie_id = new_id()
        if connect_code is not None or (
            supporter_member_id is not None and principal.role is Role.MEMBER
        ):
            return await self._invite(
                principal,
                NewTie(
                    tie_id,
                    member_id,
                    relation,
                    TieStatus.INVITED,
                    SupporterKind.MEMBER,
                    supporter_member_id or "",
                ),
                connect_code,
            )
        if person_name is not None:
            name, error = clean_name(person_name, "person.displayName")
            if error:
                return Outcome(errors=[error])
            new = NewTie(
                tie_id, member_id, relation, TieStatus.ACTIVE, SupporterKind.PERSON, new_id(), name
            )
        elif organisation_id is not None:
            new = NewTie(
                tie_id,
                member_id,
                relation,
                TieStatus.ACTIVE,
                SupporterKind.ORGANISATION,
                organisation_id,
            )
        else:
            assert supporter_member_id is not None
            # Another member must consent: the tie waits as an invitation.
            new = NewTie(
                tie_id,
                member_id,
                relation,
                TieStatus.INVITED,
                SupporterKind.MEMBER,
                supporter_member_id,
            )
        refusal = await store_circles.add_tie(self.store, new, self.circle_max, now_iso())
        if refusal is AddRefusal.CIRCLE_FULL:
            return Outcome.fail(
                ErrorCode.CIRCLE_FULL,
                f"a circle holds at most {self.circle_max} supporters (invited or active)",
                "memberId",
            )
        if refusal is not None:
            return Outcome(errors=[REFUSALS[refusal]])
        invited = new.supporter_id if new.supporter_kind is SupporterKind.MEMBER else ""
        await self.audit.record(principal, "circle.add", member_id, invited)
        await changes.record(self.store, change(ChangeKind.TIE_ADDED, member_id, invited))
        return await self._reloaded(principal, new.tie_id)

    async def _invite(
        self, principal: Principal, new: NewTie, connect_code: str | None
    ) -> Outcome[Tie]:
        invited = await invitations.invite(
            self.store,
            principal,
            new,
            connect_code,
            circle_max=self.circle_max,
            cooling_off_days=self.cooling_off_days,
        )
        if isinstance(invited, UserError):
            return Outcome(errors=[invited])
        await self.audit.record(principal, "circle.add", new.member_id, invited)
        await changes.record(self.store, change(ChangeKind.TIE_ADDED, new.member_id, invited))
        return await self._reloaded(principal, new.tie_id)

    async def respond(self, principal: Principal, tie_id: str, accept: bool) -> Outcome[Tie]:
        """Accept or decline being named a supporter (the invited member only)."""
        me = access.require_member(principal)
        tie = await store_circles.tie_by_id(self.store, tie_id)
        if tie is None:
            return Outcome.fail(ErrorCode.NOT_FOUND, "no such invitation", "tieId")
        if tie.supporter.kind is not SupporterKind.MEMBER or tie.supporter.id != me:
            raise PermissionDenied("this invitation is not addressed to you")
        answered = None
        if tie.status is TieStatus.INVITED:
            answered = await store_circles.respond(self.store, tie_id, accept, now_iso())
        if answered is None:
            return Outcome.fail(
                ErrorCode.NOT_PENDING, "this invitation was already answered", "tieId"
            )
        action = "circle.accept" if accept else "circle.decline"
        await self.audit.record(principal, action, tie.member_id, me)
        kind = ChangeKind.TIE_ACCEPTED if accept else ChangeKind.TIE_DECLINED
        await changes.record(self.store, change(kind, tie.member_id, me))
        return Outcome(answered)

    async def update_relation(
        self, principal: Principal, tie_id: str, relation: Relation
    ) -> Outcome[Tie]:
        """Change what a supporter is to the member."""
        tie = await self._own_open_tie(principal, tie_id)
        if isinstance(tie, UserError):
            return Outcome(errors=[tie])
        is_org = tie.supporter.kind is SupporterKind.ORGANISATION
        if is_org != (relation is Relation.ORGANISATION):
            return Outcome(
                errors=[
                    invalid(
                        "relation",
                        "ORGANISATION is the relation for organisations, and only for them",
                    )
                ]
            )
        changed = await store_circles.update_relation(self.store, tie_id, relation)
        if changed is None:
            return Outcome.fail(ErrorCode.NOT_FOUND, "this tie has ended", "tieId")
        await self.audit.record(principal, "circle.update", tie.member_id)
        await changes.record(self.store, change(ChangeKind.TIE_CHANGED, tie.member_id))
        return Outcome(invitations.as_seen_by(principal, changed))

    async def end(self, principal: Principal, tie_id: str) -> Outcome[Tie]:
        """End a tie; its history stays."""
        tie = await self._own_open_tie(principal, tie_id)
        if isinstance(tie, UserError):
            return Outcome(errors=[tie])
        ended = await store_circles.end_tie(self.store, tie_id, now_iso())
        if ended is None:
            return Outcome.fail(ErrorCode.NOT_FOUND, "this tie has ended", "tieId")
        supporter = tie.supporter.id if tie.supporter.kind is SupporterKind.MEMBER else ""
        await self.audit.record(principal, "circle.end", tie.member_id, supporter)
        await changes.record(self.store, change(ChangeKind.TIE_ENDED, tie.member_id, supporter))
        return Outcome(invitations.as_seen_by(principal, ended))

    async def tie(self, principal: Principal, tie_id: str) -> Tie | None:
        """One tie, for the member whose circle holds it, its supporter, or coordinators."""
        access.require_staff_or_member(principal)
        tie = await store_circles.tie_by_id(self.store, tie_id)
        if tie is not None and not (
            access.may_read_member(principal, tie.member_id)
            or access.may_read_member(principal, tie.supporter.id)
        ):
            raise PermissionDenied("you may not see this tie")
        if tie is None:
            return None
        await self.audit.record_reads([(principal, "circle.read", tie.member_id)])
        return invitations.as_seen_by(principal, tie)

    async def person(self, principal: Principal, person_id: str) -> Supporter | None:
        """A non-member supporter: for coordinators, and members whose circle holds them."""
        access.require_staff_or_member(principal)
        if principal.role is Role.MEMBER:
            assert principal.member_id is not None
            ties = await store_circles.circles(self.store, [principal.member_id], True)
            if not any(t.supporter.id == person_id for t in ties[principal.member_id]):
                raise PermissionDenied("you may not see this person")
        return await store_circles.person_by_id(self.store, person_id)

    async def circles(self, member_ids: list[str], include_ended: bool) -> dict[str, list[Tie]]:
        """Circles by member, for loaders whose caller has been checked already."""
        return await store_circles.circles(self.store, member_ids, include_ended)

    async def supporting(self, member_ids: list[str], only_invited: bool) -> dict[str, list[Tie]]:
        """Ties where each member supports others (or only the pending invitations)."""
        statuses = [TieStatus.INVITED] if only_invited else list(OPEN_TIE_STATUSES)
        return await store_circles.supporting(self.store, member_ids, statuses)

    async def _own_open_tie(self, principal: Principal, tie_id: str) -> Tie | UserError:
        tie = await store_circles.tie_by_id(self.store, tie_id)
        if tie is None:
            return UserError("tieId", "no such tie", ErrorCode.NOT_FOUND)
        access.require_member_access(principal, tie.member_id)
        if tie.status not in OPEN_TIE_STATUSES:
            return UserError("tieId", "this tie has ended or was declined", ErrorCode.NOT_PENDING)
        return tie

    async def _reloaded(self, principal: Principal, tie_id: str) -> Outcome[Tie]:
        tie = await store_circles.tie_by_id(self.store, tie_id)
        assert tie is not None, "a tie just written must be readable"
        return Outcome(invitations.as_seen_by(principal, tie))
