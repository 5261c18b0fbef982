"""Members inviting members, without telling the inviter anything about the other member.

- A member invites another with a connect code the other made (services/connect_codes.py), or
  without one when the other already has them as an ACTIVE supporter (they know each other).
  Coordinators invite by member id as before.
- Every refusal about the other member reads the same (`UNREACHABLE`): no such member, paused
  or left, a stranger, a wrong, expired or used code, too many wrong codes, or a decline within
  the cooling-off period. Refusals about the inviter's own circle keep their own codes.
- After a member declines, the inviter cannot invite them again for `INVITE_COOLING_OFF_DAYS`.
  A connect code the declining member makes afterwards lifts this: it is their own new act.
- Until the invited member accepts, a member who looks at the tie sees `WITHHELD_NAME` (and
  `supporterNameWithheld: true`), never their name; their status is never shown to members.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from graph_service.auth import Principal, Role
from graph_service.domain import ErrorCode, SupporterKind, Tie, UserError
from graph_service.services.connect_codes import code_hash
from graph_service.services.validation import now_iso
from graph_service.store import Store
from graph_service.store import invitations as store_invitations
from graph_service.store.circles import NewTie
from graph_service.store.invitations import InviteRefusal, InviteRules

WITHHELD_NAME = "Invited member"
# Wrong codes an inviter may give in a window before every code is refused (8 characters from
# 31 give 8.5e11 codes: guessing one of a few hundred live codes this way takes millennia).
MAX_CODE_MISSES = 10
MISS_WINDOW = timedelta(hours=1)

UNREACHABLE = UserError(
    "connectCode",
    "that did not work: ask the person you want to invite for a new connect code",
    ErrorCode.NOT_FOUND,
)
OWN_CIRCLE: dict[InviteRefusal, UserError] = {
    InviteRefusal.INVITER_MISSING: UserError("memberId", "no such member", ErrorCode.NOT_FOUND),
    InviteRefusal.INVITER_NOT_ACTIVE: UserError(
        "memberId", "the member is paused or has left", ErrorCode.MEMBER_NOT_ACTIVE
    ),
    InviteRefusal.SELF_SUPPORT: UserError(
        "connectCode", "this is your own connect code", ErrorCode.SELF_SUPPORT
    ),
    InviteRefusal.ALREADY_IN_CIRCLE: UserError(
        "supporter", "already in this circle", ErrorCode.ALREADY_IN_CIRCLE
    ),
}


def withheld(principal: Principal, tie: Tie) -> bool:
    """True when a member looks at a tie to another member who has not accepted it."""
    return (
        principal.role is Role.MEMBER
        and tie.supporter.kind is SupporterKind.MEMBER
        and tie.supporter.id != principal.member_id
        and not tie.accepted
    )


def as_seen_by(principal: Principal, tie: Tie) -> Tie:
    """The tie as this principal may see it: the supporter's name withheld where it must be."""
    if not withheld(principal, tie):
        return tie
    return replace(tie, supporter=replace(tie.supporter, name=WITHHELD_NAME))


def _ago(delta: timedelta) -> str:
    return (datetime.now(UTC) - delta).isoformat(timespec="milliseconds")


async def invite(
    store: Store,
    principal: Principal,
    new: NewTie,
    connect_code: str | None,
    *,
    circle_max: int,
    cooling_off_days: int,
) -> str | UserError:
    """Invite a member by code (anyone) or by id (a member); the invited member's id."""
    member = principal.role is Role.MEMBER
    rules = InviteRules(
        code_hash=None if connect_code is None else code_hash(connect_code),
        need_support=member,
        declined_since=_ago(timedelta(days=cooling_off_days))
        if member and cooling_off_days
        else None,
        misses_since=_ago(MISS_WINDOW),
        max_misses=MAX_CODE_MISSES,
    )
    outcome = await store_invitations.invite(store, new, rules, circle_max, now_iso())
    if isinstance(outcome, str):
        return outcome
    if outcome is InviteRefusal.CIRCLE_FULL:
        return UserError(
            "memberId",
            f"a circle holds at most {circle_max} supporters (invited or active)",
            ErrorCode.CIRCLE_FULL,
        )
    return OWN_CIRCLE.get(outcome, UNREACHABLE)
