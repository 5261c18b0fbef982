"""Cypher for members."""

from __future__ import annotations

from datetime import date
from typing import Any

from graph_service.domain import Member, MemberStatus, Page, Tie
from graph_service.store import circles as store_circles
from graph_service.store.connection import Store

CREATE_MEMBER = """
CREATE (m:Person:Member {id: $id, displayName: $displayName, status: 'ACTIVE',
                         memberSince: $memberSince, createdAt: $now, updatedAt: $now})
RETURN m{.id, .displayName, .status, .memberSince, .createdAt, .updatedAt} AS member
"""

MEMBERS_BY_IDS = """
UNWIND $ids AS wanted
MATCH (m:Member {id: wanted})
RETURN m{.id, .displayName, .status, .memberSince, .createdAt, .updatedAt} AS member
"""

UPDATE_DISPLAY_NAME = """
MATCH (m:Member {id: $id})
SET m.displayName = $displayName, m.updatedAt = $now
RETURN m{.id, .displayName, .status, .memberSince, .createdAt, .updatedAt} AS member
"""

# leftAt keeps when a member left, for figures about past months (trends); back: forgotten.
SET_STATUS = """
MATCH (m:Member {id: $id})
SET m.status = $status, m.updatedAt = $now,
    m.leftAt = CASE WHEN $status = 'LEFT' THEN coalesce(m.leftAt, $now) ELSE null END
RETURN m{.id, .displayName, .status, .memberSince, .createdAt, .updatedAt} AS member
"""

# A member and their circle in one statement, for a request that asks for both: each row is
# the member with one tie (or none, for an empty circle), in the columns `to_tie` reads.
# One record per member, its ties collected in it: the driver streams one record several times
# faster than one per tie (a third less client CPU for a circle of five).
MEMBERS_WITH_CIRCLES = """
UNWIND $ids AS wanted
MATCH (m:Member {id: wanted})
OPTIONAL MATCH (m)-[t:SUPPORTED_BY]->(s)
WHERE t.status IN $statuses
WITH m, t, s
ORDER BY t.since, t.id
RETURN m{.id, .displayName, .status, .memberSince, .createdAt, .updatedAt} AS member,
       collect(CASE WHEN t IS NULL THEN NULL ELSE [
         t{.id, .relation, .status, .since, .endedAt, .endedFrom},
         m.id, m.displayName, s.id, coalesce(s.displayName, s.name), s.kind, labels(s),
         EXISTS { MATCH (s)-[r:SUPPORTED_BY]->(m) WHERE r.status = 'ACTIVE' }
       ] END) AS ties
"""
# The columns of each collected tie, as store_circles.to_tie reads a row. (A list, not a map:
# the engine returns a map literal that holds a map projection as that projection alone.)
TIE_COLUMNS = (
    "tie",
    "memberId",
    "memberName",
    "supporterId",
    "supporterName",
    "organisationKind",
    "labels",
    "reciprocal",
)

# Filters are parameters that may be null, so one fixed statement serves every combination.
LIST_MEMBERS = """
MATCH (m:Member)
WHERE ($status IS NULL OR m.status = $status)
  AND ($search IS NULL OR toLower(m.displayName) CONTAINS $search)
  AND ($only IS NULL OR m.id = $only)
RETURN m{.id, .displayName, .status, .memberSince, .createdAt, .updatedAt} AS member
ORDER BY toLower(m.displayName), m.id
SKIP $skip LIMIT $limit
"""

COUNT_MEMBERS = """
MATCH (m:Member)
WHERE ($status IS NULL OR m.status = $status)
  AND ($search IS NULL OR toLower(m.displayName) CONTAINS $search)
  AND ($only IS NULL OR m.id = $only)
RETURN count(m) AS total
"""


def to_member(row: dict[str, Any]) -> Member:
    """A Member from a member map."""
    return Member(
        id=row["id"],
        display_name=row["displayName"],
        status=MemberStatus(row["status"]),
        member_since=date.fromisoformat(row["memberSince"]),
        created_at=row["createdAt"],
        updated_at=row["updatedAt"],
    )


async def create_member(
    store: Store, member_id: str, display_name: str, member_since: date, now: str
) -> Member:
    """Create a member."""
    rows = await store.write(
        CREATE_MEMBER,
        id=member_id,
        displayName=display_name,
        memberSince=member_since.isoformat(),
        now=now,
    )
    return to_member(rows[0]["member"])


async def members_by_ids(store: Store, ids: list[str]) -> dict[str, Member]:
    """The members with these ids (missing ones absent)."""
    rows = await store.read(MEMBERS_BY_IDS, ids=list(dict.fromkeys(ids)))
    return {row["member"]["id"]: to_member(row["member"]) for row in rows}


async def members_with_circles(
    store: Store, ids: list[str], include_ended: bool
) -> tuple[dict[str, Member], dict[str, list[Tie]]]:
    """The members with these ids and their circles (as `circles.circles` gives them)."""
    statuses = store_circles.ALL if include_ended else store_circles.OPEN
    rows = await store.read(MEMBERS_WITH_CIRCLES, ids=list(dict.fromkeys(ids)), statuses=statuses)
    members: dict[str, Member] = {}
    circles: dict[str, list[Tie]] = {}
    for row in rows:
        member = to_member(row["member"])
        members[member.id] = member
        ties = (dict(zip(TIE_COLUMNS, tie, strict=True)) for tie in row["ties"])
        circles[member.id] = [store_circles.to_tie(tie) for tie in ties]
    return members, circles


async def update_display_name(
    store: Store, member_id: str, display_name: str, now: str
) -> Member | None:
    """Rename a member; None when there is no such member."""
    rows = await store.write(UPDATE_DISPLAY_NAME, id=member_id, displayName=display_name, now=now)
    return to_member(rows[0]["member"]) if rows else None


async def set_status(store: Store, member_id: str, status: MemberStatus, now: str) -> Member | None:
    """Change a member's status; None when there is no such member."""
    rows = await store.write(SET_STATUS, id=member_id, status=status.value, now=now)
    return to_member(rows[0]["member"]) if rows else None


async def list_members(
    store: Store,
    *,
    offset: int,
    limit: int,
    status: MemberStatus | None = None,
    search: str | None = None,
    only: str | None = None,
) -> Page[Member]:
    """A page of members by display name, filtered by status, a name fragment or one id."""
    filters = {
        "status": status.value if status else None,
        "search": search.lower() if search else None,
        "only": only,
    }
    rows = await store.read(LIST_MEMBERS, skip=offset, limit=limit, **filters)
    total = await store.read(COUNT_MEMBERS, **filters)
    return Page([to_member(row["member"]) for row in rows], offset, int(total[0]["total"]))
