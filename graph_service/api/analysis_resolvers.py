"""GraphQL types and root fields for the coordinators' analyses."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from graph_service.api.context import Context
from graph_service.api.pagination import Connection, page_window
from graph_service.api.queries import internal_id
from graph_service.api.types import MemberType
from graph_service.domain import FragilityReason, IsolationReason, MemberStatus, SupporterKind
from graph_service.ids import to_global_id
from graph_service.services import dashboard

strawberry.enum(IsolationReason, description="Why a member may be isolated.")
strawberry.enum(FragilityReason, description="Why a circle or a place in the network is fragile.")
strawberry.enum(SupporterKind, description="What sits at the supporter end of a tie.")


@strawberry.type(description="A member who may be isolated, and why.")
class IsolatedMember:
    member: MemberType
    reasons: list[IsolationReason]
    active_supporters: int


@strawberry.type(description="How many members have one status.")
class StatusCount:
    status: MemberStatus
    count: int


@strawberry.type(description="Figures over ACTIVE members of the network.")
class NetworkSummary:
    members: int
    members_by_status: list[StatusCount]
    active_ties: int
    mean_circle_size: float
    circle_size_distribution: list[int] = strawberry.field(
        description="How many members have 0, 1, … 5 active supporters (index = size)."
    )
    reciprocity_rate: float = strawberry.field(
        description="Share of active member-to-member ties that are returned."
    )
    components: int
    component_sizes: list[int]
    isolates: int


@strawberry.type(description="Someone who supports many members.")
class SupporterLoad:
    supporter_id: strawberry.ID
    kind: SupporterKind
    display_name: str
    supported: int


@strawberry.type(description="A fragile circle, or a member the network hangs on.")
class FragileCircle:
    member: MemberType
    reason: FragilityReason
    via_id: strawberry.ID | None = strawberry.field(
        description="The one personal supporter, for SINGLE_PERSONAL_SUPPORTER."
    )
    via_name: str | None


@strawberry.type(description="A peer who could be invited into a member's circle.")
class SupporterSuggestion:
    member: MemberType
    score: float = strawberry.field(
        description="Adamic-Adar over shared courses, tools and sessions of the last year, "
        "+0.5 for a friend of a friend."
    )
    shared_courses: list[strawberry.ID]
    shared_tools: list[str]
    shared_sessions: int = strawberry.field(
        description="How many programme sessions of the last year both came to."
    )
    shared_session_kinds: list[str] = strawberry.field(
        description="The kinds of those sessions, the most shared first."
    )


def _global(kind: str, internal: str) -> strawberry.ID:
    """The global id of an object whose kind is spelt in any case ("person", "Course")."""
    return strawberry.ID(to_global_id(kind.title(), internal))


@strawberry.type
class AnalysisQuery:
    @strawberry.field(description="Members who may be isolated, most reasons first (coordinators).")
    async def isolation_report(
        self,
        info: Info[Context, None],
        min_supporters: int = 2,
        component_size: int = 3,
        include_statuses: list[MemberStatus] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[IsolatedMember]:
        offset, limit = page_window(first, after)
        statuses = frozenset(include_statuses or [MemberStatus.ACTIVE])
        report = await info.context.services.analyses.isolation(
            info.context.principal,
            min_supporters=min_supporters,
            component_size=component_size,
            statuses=statuses,
        )
        nodes = [
            IsolatedMember(
                member=MemberType.ref(entry.member_id),
                reasons=[IsolationReason(code) for code in entry.reasons],
                active_supporters=entry.active_supporters,
            )
            for entry in report[offset : offset + limit]
        ]
        return Connection.of(nodes, offset, len(report))

    @strawberry.field(description="Figures over the network (coordinators).")
    async def network_summary(self, info: Info[Context, None]) -> NetworkSummary:
        found = await info.context.services.analyses.summary(info.context.principal)
        return NetworkSummary(
            members=found.members,
            members_by_status=[
                StatusCount(status=MemberStatus(status), count=count)
                for status, count in sorted(found.members_by_status.items())
            ],
            active_ties=found.active_ties,
            mean_circle_size=found.mean_circle_size,
            circle_size_distribution=list(found.circle_size_distribution),
            reciprocity_rate=found.reciprocity_rate,
            components=found.components,
            component_sizes=list(found.component_sizes),
            isolates=found.isolates,
        )

    @strawberry.field(description="People supporting at least minSupported members (coordinators).")
    async def supporter_load(
        self, info: Info[Context, None], min_supported: int = 4
    ) -> list[SupporterLoad]:
        found = await dashboard.load(
            info.context.services, info.context.principal, min_supported=min_supported
        )
        return [
            SupporterLoad(
                supporter_id=_global(f.kind, f.supporter_id),
                kind=SupporterKind(f.kind.upper()),
                display_name=f.name,
                supported=f.supported,
            )
            for f in found
        ]

    @strawberry.field(description="Circles resting on one person; members the network hangs on.")
    async def fragile_circles(self, info: Info[Context, None]) -> list[FragileCircle]:
        found = await dashboard.fragile(info.context.services, info.context.principal)
        return [
            FragileCircle(
                member=MemberType.of(f.member),
                reason=FragilityReason(f.reason),
                via_id=_global("Member" if f.via_is_member else "Person", f.via_id)
                if f.via_id
                else None,
                via_name=f.via_name,
            )
            for f in found
        ]

    @strawberry.field(description="Peers who could support an isolated member (coordinators).")
    async def supporter_suggestions(
        self, info: Info[Context, None], member_id: strawberry.ID, first: int = 5
    ) -> list[SupporterSuggestion]:
        services, wanted = info.context.services, internal_id(member_id, "Member", "memberId")
        found = await services.analyses.suggestions(info.context.principal, wanted, first=first)
        return [
            SupporterSuggestion(
                member=MemberType.ref(s.member_id),
                score=s.score,
                shared_courses=[_global("Course", c) for c in s.shared_courses],
                shared_tools=list(s.shared_tools),
                shared_sessions=s.shared_sessions,
                shared_session_kinds=list(s.shared_session_kinds),
            )
            for s in found
        ]
