"""A member's whole page in one read: profile, circle with history, help, courses, tools, and
for coordinators the reasons they are flagged and who could support them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from graph_service.analysis.suggestions import Suggestion
from graph_service.auth import Principal, Role
from graph_service.domain import (
    OPEN_TIE_STATUSES,
    Course,
    Enrolment,
    HelpBalance,
    Member,
    MemberStatus,
    Tie,
)
from graph_service.services import Services, access
from graph_service.services.invitations import as_seen_by

SUGGESTIONS = 5
# The audit actions a page reads under: the same the API records for the same data.
PAGE_READS = ("member.read", "circle.read", "help.read", "enrolments.read")


@dataclass(frozen=True)
class SuggestedPeer:
    """A peer who could be invited, and what they share with the member."""

    member: Member
    score: float
    courses: tuple[str, ...]
    tools: tuple[str, ...]
    sessions: int  # recent programme sessions both came to
    session_kinds: tuple[str, ...]


@dataclass(frozen=True)
class MemberProfile:
    """Everything a member's page shows."""

    member: Member
    circle: list[Tie]  # every tie, ended and declined ones too (history)
    supporting: list[Tie]  # open ties in which this member supports someone else
    balance: HelpBalance
    enrolments: list[tuple[Enrolment, Course | None]]
    tools: list[str]
    reasons: tuple[str, ...] = ()
    suggestions: list[SuggestedPeer] = field(default_factory=list)

    @property
    def open_ties(self) -> list[Tie]:
        """The ties that count towards the circle (INVITED and ACTIVE)."""
        return [t for t in self.circle if t.status in OPEN_TIE_STATUSES]


async def member_profile(
    services: Services, principal: Principal, member_id: str
) -> MemberProfile | None:
    """The member's page (coordinators, or the member themself); None for no such member."""
    access.require_member_access(principal, member_id)
    member = (await services.members.by_ids([member_id])).get(member_id)
    if member is None:
        return None
    await services.audit.record_reads([(principal, action, member_id) for action in PAGE_READS])
    circle = [
        # A member's own page names nobody who has not accepted their invitation.
        as_seen_by(principal, tie)
        for tie in (await services.circles.circles([member_id], True)).get(member_id, [])
    ]
    supporting = (await services.circles.supporting([member_id], False)).get(member_id, [])
    balance = (await services.help.balances([member_id])).get(member_id, HelpBalance())
    enrolments = (await services.enrolments.of_members([member_id])).get(member_id, [])
    courses = await services.colleges.courses_by_ids([e.course_id for e in enrolments])
    tools = (await services.wellness.tools_of([member_id])).get(member_id, [])
    profile = MemberProfile(
        member,
        circle,
        supporting,
        balance,
        [(e, courses.get(e.course_id)) for e in enrolments],
        tools,
    )
    if principal.role is not Role.COORDINATOR:
        return profile
    # Every status: a paused member's page still says why they were flagged.
    report = await services.analyses.isolation(principal, statuses=frozenset(MemberStatus))
    flagged = next((entry for entry in report if entry.member_id == member_id), None)
    found = await services.analyses.suggestions(principal, member_id, first=SUGGESTIONS)
    return replace(
        profile,
        reasons=flagged.reasons if flagged else (),
        suggestions=await _peers(services, found),
    )


async def _peers(services: Services, found: list[Suggestion]) -> list[SuggestedPeer]:
    members = await services.members.by_ids([s.member_id for s in found])
    courses = await services.colleges.courses_by_ids(
        sorted({c for s in found for c in s.shared_courses})
    )
    return [
        SuggestedPeer(
            members[s.member_id],
            s.score,
            tuple(courses[c].title for c in s.shared_courses if c in courses),
            s.shared_tools,
            s.shared_sessions,
            s.shared_session_kinds,
        )
        for s in found
        if s.member_id in members
    ]
