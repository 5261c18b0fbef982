"""What the coordinators' dashboard shows beside the worklist: headline figures, and the
supporter-load and fragile-circle views with people's names."""

from __future__ import annotations

from dataclasses import dataclass

from graph_service.analysis import NetworkSummary
from graph_service.analysis.summary import personal_support
from graph_service.auth import Principal
from graph_service.domain import Member
from graph_service.services import Services


@dataclass(frozen=True)
class Figures:
    """The headline figures: the network summary and personal support."""

    summary: NetworkSummary
    with_personal_support: int  # ACTIVE members with two or more personal supporters

    @property
    def personal_support_share(self) -> float:
        """The share of ACTIVE members with two or more personal supporters."""
        members = self.summary.members
        return self.with_personal_support / members if members else 0.0


@dataclass(frozen=True)
class NamedLoad:
    """Someone who supports many members, by name."""

    supporter_id: str
    kind: str  # "member" or "person"
    name: str
    supported: int


@dataclass(frozen=True)
class NamedFragile:
    """A fragile circle or a member the network hangs on, with names."""

    member: Member
    reason: str
    via_id: str | None
    via_is_member: bool
    via_name: str | None


async def figures(services: Services, principal: Principal) -> Figures:
    """The headline figures (coordinators; the summary is audited)."""
    summary = await services.analyses.summary(principal)
    return Figures(summary, await services.analyses.computed(personal_support))


async def _names(services: Services, ids: list[str]) -> tuple[dict[str, Member], dict[str, str]]:
    """Members and other people among these ids, with their names."""
    members = await services.members.by_ids(ids)
    people = await services.analyses.names([i for i in ids if i not in members])
    return members, people


async def load(services: Services, principal: Principal, *, min_supported: int) -> list[NamedLoad]:
    """People supporting at least ``min_supported`` members (coordinators)."""
    found = await services.analyses.load(principal, min_supported=min_supported)
    members, people = await _names(services, [f.supporter_id for f in found])
    return [
        NamedLoad(
            f.supporter_id,
            f.kind,
            members[f.supporter_id].display_name
            if f.supporter_id in members
            else people.get(f.supporter_id, ""),
            f.supported,
        )
        for f in found
    ]


async def fragile(services: Services, principal: Principal) -> list[NamedFragile]:
    """Fragile circles and the members the network hangs on (coordinators)."""
    found = await services.analyses.fragile(principal)
    ids = sorted({f.member_id for f in found} | {f.via for f in found if f.via})
    members, people = await _names(services, ids)
    return [
        NamedFragile(
            members[f.member_id],
            f.reason,
            f.via,
            f.via in members,
            None
            if f.via is None
            else (members[f.via].display_name if f.via in members else people.get(f.via)),
        )
        for f in found
        if f.member_id in members
    ]
