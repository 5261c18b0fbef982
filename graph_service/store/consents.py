"""Cypher for consent to share enrolments: (:Member)-[:SHARES_WITH]->(:College)."""

from __future__ import annotations

from graph_service.domain import Consent
from graph_service.store.connection import Store

GRANT = """
MATCH (m:Member {id: $memberId})
MATCH (c:College {id: $collegeId})
MERGE (m)-[s:SHARES_WITH]->(c)
SET s.grantedAt = $now, s.revokedAt = null
RETURN c.id AS collegeId, c.name AS collegeName, s.grantedAt AS grantedAt
"""

# Revoking keeps the relationship with revokedAt, so the history of consent stays visible.
REVOKE = """
MATCH (:Member {id: $memberId})-[s:SHARES_WITH]->(:College {id: $collegeId})
WHERE s.revokedAt IS NULL
SET s.revokedAt = $now
RETURN s.revokedAt AS revokedAt
"""

CONSENTS_OF = """
UNWIND $ids AS wanted
MATCH (m:Member {id: wanted})-[s:SHARES_WITH]->(c:College)
WHERE s.revokedAt IS NULL
RETURN m.id AS memberId, c.id AS collegeId, c.name AS collegeName, s.grantedAt AS grantedAt
ORDER BY c.name
"""

CONSENTING = """
UNWIND $ids AS wanted
MATCH (m:Member {id: wanted})-[s:SHARES_WITH]->(:College {id: $collegeId})
WHERE s.revokedAt IS NULL
RETURN m.id AS memberId
"""


async def grant(store: Store, member_id: str, college_id: str, now: str) -> Consent | None:
    """Record consent; None when the member or the college does not exist."""
    rows = await store.write(GRANT, memberId=member_id, collegeId=college_id, now=now)
    if not rows:
        return None
    return Consent(rows[0]["collegeId"], rows[0]["collegeName"], rows[0]["grantedAt"])


async def revoke(store: Store, member_id: str, college_id: str, now: str) -> bool:
    """Withdraw consent; False when there was none to withdraw."""
    return bool(await store.write(REVOKE, memberId=member_id, collegeId=college_id, now=now))


async def consents_of(store: Store, member_ids: list[str]) -> dict[str, list[Consent]]:
    """The colleges each member currently shares with."""
    found: dict[str, list[Consent]] = {member_id: [] for member_id in member_ids}
    for row in await store.read(CONSENTS_OF, ids=list(dict.fromkeys(member_ids))):
        found[row["memberId"]].append(
            Consent(row["collegeId"], row["collegeName"], row["grantedAt"])
        )
    return found


async def consenting(store: Store, college_id: str, member_ids: list[str]) -> set[str]:
    """Which of these members currently share with the college."""
    rows = await store.read(CONSENTING, ids=list(dict.fromkeys(member_ids)), collegeId=college_id)
    return {row["memberId"] for row in rows}
