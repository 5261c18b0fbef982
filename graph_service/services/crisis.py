"""Use-cases for crisis plans: who in the circle is to be involved in a crisis, and who must not be.

The names of people who must not be involved are seen by nobody but the member and
coordinators; nobody with such a name is suggested as a supporter, and adding one to the circle
is refused (``KEPT_OUT_BY_CRISIS_PLAN``). Names are compared ignoring case and spacing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from graph_service.auth import Principal
from graph_service.domain import ErrorCode, Outcome, UserError
from graph_service.domain_programme import CrisisPlan
from graph_service.events import ChangeKind, change
from graph_service.services import access
from graph_service.services.audit import AuditService
from graph_service.services.connect_codes import code_hash
from graph_service.services.invitations import as_seen_by
from graph_service.services.validation import clean_name, invalid, now_iso
from graph_service.store import Store, changes
from graph_service.store import circles as store_circles
from graph_service.store import crisis as store_crisis

MAX_NOT_INVOLVED = 10


def name_key(name: str) -> str:
    """A name as compared: case and spacing do not matter."""
    return " ".join(name.casefold().split())


def _kept_out(name: str) -> str:
    return (
        f"{name} is on the crisis plan as someone who must not be involved: if that has "
        "changed, take the name off the crisis plan first"
    )


async def kept_out(
    store: Store,
    member_id: str,
    *,
    person_name: str | None = None,
    supporter_member_id: str | None = None,
    connect_code: str | None = None,
) -> UserError | None:
    """The refusal when the supporter being added is on the member's not-involved list."""
    names = {name_key(n) for n in await store_crisis.not_involved(store, member_id)}
    if not names:
        return None
    field, name = "person.displayName", person_name
    if supporter_member_id is not None:
        found = await store_crisis.member_names(store, [supporter_member_id])
        field, name = "supporterMemberId", found.get(supporter_member_id)
    elif connect_code is not None:
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        field, name = (
            "connectCode",
            await store_crisis.code_owner_name(store, code_hash(connect_code), now),
        )
    if name is None or name_key(name) not in names:
        return None
    return UserError(field, _kept_out(name.strip()), ErrorCode.KEPT_OUT_BY_CRISIS_PLAN)


async def suggestable(store: Store, member_id: str, candidates: list[str]) -> list[str]:
    """The candidate members (ids, in order) whose names the member does not keep out."""
    names = {name_key(n) for n in await store_crisis.not_involved(store, member_id)}
    if not names or not candidates:
        return candidates
    found = await store_crisis.member_names(store, candidates)
    return [c for c in candidates if name_key(found.get(c, "")) not in names]


class CrisisPlanService:
    """Members' crisis plans."""

    def __init__(self, store: Store, audit: AuditService) -> None:
        self.store = store
        self.audit = audit

    async def plan(self, principal: Principal, member_id: str) -> CrisisPlan | None:
        """A member's crisis plan (the member, coordinators); None when there is no such member."""
        access.require_member_access(principal, member_id)
        if not await store_crisis.member_names(self.store, [member_id]):
            return None
        await self.audit.record_reads([(principal, "crisis.read", member_id)])
        return self.as_seen_by(
            principal, (await store_crisis.plans(self.store, [member_id]))[member_id]
        )

    async def plans_of(self, member_ids: list[str]) -> dict[str, CrisisPlan]:
        """Plans by member, for loaders whose caller has been checked already."""
        return await store_crisis.plans(self.store, member_ids)

    @staticmethod
    def as_seen_by(principal: Principal, plan: CrisisPlan) -> CrisisPlan:
        """The plan with the names of members who have not accepted withheld, as in circles."""
        return replace(plan, involved=tuple(as_seen_by(principal, t) for t in plan.involved))

    async def set(
        self,
        principal: Principal,
        member_id: str,
        involved_tie_ids: list[str],
        not_involved: list[str],
    ) -> Outcome[CrisisPlan]:
        """Make the plan exactly this: these circle ties involved, these names kept out."""
        access.require_member_access(principal, member_id)
        names: dict[str, str] = {}
        for given in not_involved:
            clean, error = clean_name(given, "notInvolved")
            if error:
                return Outcome(errors=[error])
            names.setdefault(name_key(clean), clean)
        if len(names) > MAX_NOT_INVOLVED:
            return Outcome(errors=[invalid("notInvolved", f"at most {MAX_NOT_INVOLVED} names")])
        circle = (await store_circles.circles(self.store, [member_id], False)).get(member_id, [])
        open_ids = {t.id for t in circle}
        if any(tie_id not in open_ids for tie_id in involved_tie_ids):
            return Outcome.fail(
                ErrorCode.NOT_FOUND, "not a supporter in this circle", "involvedTieIds"
            )
        for tie in circle:
            seen = as_seen_by(principal, tie).supporter.name
            if name_key(seen) in names:
                return Outcome.fail(
                    ErrorCode.ALREADY_IN_CIRCLE,
                    f"{seen} is in the circle: end that tie first, or leave the name off this list",
                    "notInvolved",
                )
        marked = await store_crisis.set_plan(
            self.store, member_id, sorted(set(involved_tie_ids)), list(names.values()), now_iso()
        )
        if marked is None:
            return Outcome.fail(ErrorCode.NOT_FOUND, "no such member", "memberId")
        await self.audit.record(principal, "crisis.update", member_id)
        await changes.record(self.store, change(ChangeKind.CRISIS_PLAN_SET, member_id))
        plan = (await store_crisis.plans(self.store, [member_id]))[member_id]
        return Outcome(self.as_seen_by(principal, plan))
