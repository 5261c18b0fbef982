"""Cypher for enrolments: (:Member)-[:ENROLLED_IN]->(:Course)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from graph_service.domain import Enrolment, EnrolmentStatus
from graph_service.store.connection import Store, Tx

CHECK_LINK = """
MATCH (m:Member {id: $memberId})
MATCH (c:College)-[:OFFERS]->(k:Course {id: $courseId})
RETURN EXISTS { MATCH (m)-[s:SHARES_WITH]->(c) WHERE s.revokedAt IS NULL } AS consenting,
       EXISTS { MATCH (m)-[:ENROLLED_IN]->(k) } AS enrolled
"""

LINK = """
MATCH (m:Member {id: $memberId})
MATCH (k:Course {id: $courseId})
CREATE (m)-[e:ENROLLED_IN {id: $id, status: $status, enrolledOn: $enrolledOn,
                           completedOn: $completedOn, linkedBy: $linkedBy, linkedAt: $now}]->(k)
RETURN e.id AS id
"""

# Rows are validated (and de-duplicated) before; the guard keeps a re-run from doubling.
IMPORT = """
UNWIND $rows AS row
MATCH (m:Member {id: row.memberId})
MATCH (k:Course {id: row.courseId})
WHERE NOT EXISTS { MATCH (m)-[:ENROLLED_IN]->(k) }
CREATE (m)-[e:ENROLLED_IN {id: row.id, status: row.status, enrolledOn: row.enrolledOn,
                           completedOn: row.completedOn, linkedBy: $linkedBy, linkedAt: $now}]->(k)
RETURN count(e) AS created
"""

EXISTING = """
UNWIND $pairs AS pair
MATCH (m:Member {id: pair.memberId})-[:ENROLLED_IN]->(k:Course {id: pair.courseId})
RETURN m.id AS memberId, k.id AS courseId
"""

UPDATE = """
MATCH (:Member)-[e:ENROLLED_IN {id: $id}]->(:Course)
SET e.status = $status, e.completedOn = $completedOn, e.updatedAt = $now
RETURN e.id AS id
"""

BY_ID = """
MATCH (m:Member)-[e:ENROLLED_IN {id: $id}]->(k:Course)<-[:OFFERS]-(c:College)
RETURN m.id AS memberId, m.displayName AS memberName, k.id AS courseId, c.id AS collegeId,
       e{.id, .status, .enrolledOn, .completedOn} AS enrolment,
       EXISTS { MATCH (m)-[s:SHARES_WITH]->(c) WHERE s.revokedAt IS NULL } AS consenting
"""

OF_COURSES = """
UNWIND $ids AS wanted
MATCH (m:Member)-[e:ENROLLED_IN]->(k:Course {id: wanted})<-[:OFFERS]-(c:College)
WITH m, e, k, c, EXISTS { MATCH (m)-[s:SHARES_WITH]->(c) WHERE s.revokedAt IS NULL } AS consenting
WHERE consenting OR NOT $consentingOnly
RETURN m.id AS memberId, m.displayName AS memberName, k.id AS courseId, c.id AS collegeId,
       e{.id, .status, .enrolledOn, .completedOn} AS enrolment, consenting
ORDER BY toLower(m.displayName), e.id
"""

OF_MEMBERS = """
UNWIND $ids AS wanted
MATCH (m:Member {id: wanted})-[e:ENROLLED_IN]->(k:Course)<-[:OFFERS]-(c:College)
RETURN m.id AS memberId, m.displayName AS memberName, k.id AS courseId, c.id AS collegeId,
       e{.id, .status, .enrolledOn, .completedOn} AS enrolment,
       EXISTS { MATCH (m)-[s:SHARES_WITH]->(c) WHERE s.revokedAt IS NULL } AS consenting
ORDER BY e.enrolledOn, e.id
"""


def to_enrolment(row: dict[str, Any]) -> Enrolment:
    """An Enrolment from an enrolment row."""
    e = row["enrolment"]
    return Enrolment(
        id=e["id"],
        member_id=row["memberId"],
        member_name=row["memberName"],
        course_id=row["courseId"],
        college_id=row["collegeId"],
        status=EnrolmentStatus(e["status"]),
        enrolled_on=date.fromisoformat(e["enrolledOn"]),
        completed_on=date.fromisoformat(e["completedOn"]) if e.get("completedOn") else None,
        consenting=bool(row["consenting"]),
    )


@dataclass(frozen=True)
class NewEnrolment:
    """An enrolment to link."""

    id: str
    member_id: str
    course_id: str
    enrolled_on: date
    status: EnrolmentStatus = EnrolmentStatus.ENROLLED
    completed_on: date | None = None

    def params(self) -> dict[str, Any]:
        """The enrolment as Cypher parameters."""
        return {
            "id": self.id,
            "memberId": self.member_id,
            "courseId": self.course_id,
            "status": self.status.value,
            "enrolledOn": self.enrolled_on.isoformat(),
            "completedOn": self.completed_on.isoformat() if self.completed_on else None,
        }


async def link(
    store: Store, new: NewEnrolment, *, require_consent: bool, linked_by: str, now: str
) -> str | None:
    """Link an enrolment; otherwise why not: 'missing', 'no-consent' or 'enrolled'."""

    async def work(tx: Tx) -> str | None:
        found = await tx.run(CHECK_LINK, memberId=new.member_id, courseId=new.course_id)
        if not found:
            return "missing"
        if require_consent and not found[0]["consenting"]:
            return "no-consent"
        if found[0]["enrolled"]:
            return "enrolled"
        await tx.run(LINK, linkedBy=linked_by, now=now, **new.params())
        return None

    return await store.transaction(work)


async def import_batch(store: Store, batch: list[NewEnrolment], *, linked_by: str, now: str) -> int:
    """Create validated enrolments in one statement; returns how many were created."""
    rows = await store.write(
        IMPORT, rows=[new.params() for new in batch], linkedBy=linked_by, now=now
    )
    return int(rows[0]["created"]) if rows else 0


async def existing(store: Store, pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (member, course) pairs are enrolled already."""
    rows = await store.read(EXISTING, pairs=[{"memberId": m, "courseId": c} for m, c in pairs])
    return {(row["memberId"], row["courseId"]) for row in rows}


async def update(
    store: Store, enrolment_id: str, status: EnrolmentStatus, completed_on: date | None, now: str
) -> bool:
    """Change an enrolment's status; False when it does not exist."""
    rows = await store.write(
        UPDATE,
        id=enrolment_id,
        status=status.value,
        completedOn=completed_on.isoformat() if completed_on else None,
        now=now,
    )
    return bool(rows)


async def by_id(store: Store, enrolment_id: str) -> Enrolment | None:
    """One enrolment, or None."""
    rows = await store.read(BY_ID, id=enrolment_id)
    return to_enrolment(rows[0]) if rows else None


async def of_courses(
    store: Store, course_ids: list[str], consenting_only: bool
) -> dict[str, list[Enrolment]]:
    """Enrolments by course (only those of consenting members, when asked)."""
    rows = await store.read(
        OF_COURSES, ids=list(dict.fromkeys(course_ids)), consentingOnly=consenting_only
    )
    found: dict[str, list[Enrolment]] = {course_id: [] for course_id in course_ids}
    for row in rows:
        found[row["courseId"]].append(to_enrolment(row))
    return found


async def of_members(store: Store, member_ids: list[str]) -> dict[str, list[Enrolment]]:
    """Enrolments by member."""
    rows = await store.read(OF_MEMBERS, ids=list(dict.fromkeys(member_ids)))
    found: dict[str, list[Enrolment]] = {member_id: [] for member_id in member_ids}
    for row in rows:
        found[row["memberId"]].append(to_enrolment(row))
    return found
