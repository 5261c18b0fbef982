"""Supporter suggestions: peers who could join a member's circle.

A candidate is an ACTIVE member, other than the member, who

- shares at least one course (an enrolment of any status but WITHDRAWN, on both sides),
  wellness tool or recent programme session (both came to it) with the member,
- is supporting fewer than ``max_supporting`` members (ACTIVE or INVITED ties pointing at them),
- and is not tied to the member already (no INVITED or ACTIVE tie in either direction).

Score = Adamic-Adar over what they share + proximity bonus:

    score = sum(1 / ln(deg(z)) for each shared course or tool z)
          + sum(1 / ln(size(s)) for each recent session s both came to)
          + (0.5 if friend of a friend)

where deg(z) is the number of members (of any status) enrolled on (not withdrawn from) or
practising z, and size(s) the number of members (of any status) on s's register: a rare shared
interest, or a small group, says more than a popular one. Each session counts on its own, so a
small group shared twice a week for months outweighs a large one shared once. Any shared z or s
has at least 2 members (both of them), so the log is positive. The bonus applies when some
ACTIVE member is joined by an ACTIVE tie (either direction) to both: distance 2 in the member
network, as distance 1 is excluded.

A session is recent when it was held at most ``session_days`` (default 365) days before
``today``, and not after it: having been in the same room two years ago says little about who
could support the member now. Older sessions neither score nor make a candidate.

Ranked by score (highest first), then member id; at most ``first`` are returned. An id that is
not a member gives no suggestions.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from graph_service.analysis.programme import Programme
from graph_service.analysis.projection import (
    ACTIVE,
    COURSE,
    ENROLLED_IN,
    MEMBER,
    OPEN_TIE_STATUSES,
    PRACTISES,
    SUPPORTED_BY,
    TOOL,
    WITHDRAWN,
    NodeId,
    Projection,
    cyclic_gc_paused,
    programme_of,
)

PROXIMITY_BONUS: Final = 0.5
SESSION: Final = "session"  # a shared session's key beside the course and tool nodes
SESSION_DAYS: Final = 365  # how far back a session shared still counts


@dataclass(frozen=True)
class Suggestion:
    """A suggested supporter, its score and what they share with the member."""

    member_id: str
    score: float
    shared_courses: tuple[str, ...]
    shared_tools: tuple[str, ...]
    shared_sessions: int  # recent sessions both came to
    shared_session_kinds: tuple[str, ...]  # their kinds, the most shared first


def _takes_part(data: Mapping[str, Any]) -> bool:
    """Whether an edge means its member is on the course or practises the tool."""
    kind = data["type"]
    return bool(kind == PRACTISES or (kind == ENROLLED_IN and data["status"] != WITHDRAWN))


def _interests(g: Projection, member: str) -> list[tuple[str, str]]:
    """The course and tool nodes the member is on or practises."""
    return sorted(
        {
            v
            for _, v, data in g.out_edges(member, data=True)
            if isinstance(v, tuple) and _takes_part(data)
        }
    )


def _participants(g: Projection, interest: NodeId) -> set[str]:
    """The members on a course or practising a tool."""
    return {
        u
        for u, _, data in g.in_edges(interest, data=True)
        if isinstance(u, str) and _takes_part(data)
    }


def _recent_sessions(programme: Programme, member: str, since: date, today: date) -> list[str]:
    """The sessions the member came to between two days (both included), oldest first."""
    held = programme.sessions
    return [s for s in programme.attended.get(member, ()) if since <= held[s].on <= today]


def _is_active_member(g: Projection, node: NodeId) -> bool:
    """Whether the node is an ACTIVE member."""
    data = g.nodes[node]
    return bool(data["kind"] == MEMBER and data["status"] == ACTIVE)


def _is_active_tie(data: Mapping[str, Any]) -> bool:
    """Whether an edge is an ACTIVE tie."""
    return bool(data["type"] == SUPPORTED_BY and data["status"] == ACTIVE)


def _neighbours(g: Projection, member: str) -> set[str]:
    """ACTIVE members joined to the member by an ACTIVE tie, in either direction."""
    ends = [v for _, v, d in g.out_edges(member, data=True) if _is_active_tie(d)]
    ends += [u for u, _, d in g.in_edges(member, data=True) if _is_active_tie(d)]
    return {n for n in ends if isinstance(n, str) and _is_active_member(g, n)}


def _open_ties(g: Projection, u: str, v: str) -> int:
    """How many INVITED or ACTIVE ties run from u to v."""
    keyed = g.get_edge_data(u, v) or {}
    return sum(
        1 for d in keyed.values() if d["type"] == SUPPORTED_BY and d["status"] in OPEN_TIE_STATUSES
    )


def _supporting(g: Projection, member: str) -> int:
    """How many INVITED or ACTIVE ties point at the member."""
    return sum(
        1
        for _, _, d in g.in_edges(member, data=True)
        if d["type"] == SUPPORTED_BY and d["status"] in OPEN_TIE_STATUSES
    )


def _score(shared: list[NodeId], weight: dict[NodeId, float], near: bool) -> float:
    """The documented score: Adamic-Adar over what is shared, plus the proximity bonus."""
    score = sum(weight[z] for z in shared)  # shared comes in one order: the same sum every time
    return score + PROXIMITY_BONUS if near else score


def _suggestion(g: Projection, other: str, score: float, shared: list[NodeId]) -> Suggestion:
    """The suggestion of a candidate, with what they share spelt out."""
    held = programme_of(g).sessions
    kinds = Counter(held[z[1]].kind for z in shared if z[0] == SESSION)
    return Suggestion(
        other,
        score,
        tuple(z[1] for z in shared if z[0] == COURSE),
        tuple(z[1] for z in shared if z[0] == TOOL),
        kinds.total(),
        tuple(kind for kind, _ in sorted(kinds.items(), key=lambda item: (-item[1], item[0]))),
    )


@cyclic_gc_paused()
def supporter_suggestions(
    g: Projection,
    member_id: str,
    *,
    today: date,
    first: int = 5,
    max_supporting: int = 4,
    session_days: int = SESSION_DAYS,
) -> list[Suggestion]:
    """Peers who share a course, tool or recent session with the member and have room."""
    if member_id not in g or g.nodes[member_id]["kind"] != MEMBER:
        return []
    shared: dict[str, list[NodeId]] = {}
    weight: dict[NodeId, float] = {}
    for interest in _interests(g, member_id):
        on_it = _participants(g, interest)
        on_it.discard(member_id)
        if not on_it:
            continue
        # deg(z) counts the member too, so it is at least 2 here and the log is positive.
        weight[interest] = 1.0 / math.log(len(on_it) + 1)
        for other in on_it:
            shared.setdefault(other, []).append(interest)
    since = today - timedelta(days=session_days)
    programme = programme_of(g)
    for session in _recent_sessions(programme, member_id, since, today):
        came = programme.attendees[session]  # the register
        if len(came) < 2:
            continue
        key = (SESSION, session)
        weight[key] = 1.0 / math.log(len(came))
        for peer in came:
            if peer != member_id:
                shared.setdefault(peer, []).append(key)

    near = _neighbours(g, member_id)
    friends_of_friends = {f for n in near for f in _neighbours(g, n)} - near - {member_id}

    ranked = sorted(
        (-_score(shared[other], weight, other in friends_of_friends), other) for other in shared
    )
    found: list[Suggestion] = []
    # Score first, check eligibility after, in rank order: a member practising a popular tool
    # shares it with thousands, and only the first few eligible ones are wanted.
    for negative_score, other in ranked:
        if len(found) >= first:
            break
        if (
            not _is_active_member(g, other)
            or _supporting(g, other) >= max_supporting
            or _open_ties(g, member_id, other)
            or _open_ties(g, other, member_id)
        ):
            continue
        found.append(_suggestion(g, other, -negative_score, shared[other]))
    return found
