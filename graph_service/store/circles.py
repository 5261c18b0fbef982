"""Cypher for circles: SUPPORTED_BY ties between members and their supporters."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, LiteralString

from graph_service.domain import (
    MemberStatus,
    OrganisationKind,
    Relation,
    Supporter,
    SupporterKind,
    Tie,
    TieStatus,
)
from graph_service.store.connection import Store, Tx

# Writing to the member node first makes concurrent adds to one circle conflict on that
# node (the engine retries the loser), so the count below is exact when the tie is created.
LOCK_MEMBER = """
MATCH (m:Member {id: $memberId})
SET m.circleVersion = coalesce(m.circleVersion, 0) + 1
RETURN m.status AS status,
       COUNT { MATCH (m)-[t:SUPPORTED_BY]->() WHERE t.status IN ['INVITED', 'ACTIVE'] } AS open
"""

SUPPORTER_MEMBER = """
MATCH (s:Member {id: $supporterId})
RETURN s.status AS status,
       EXISTS { MATCH (:Member {id: $memberId})-[t:SUPPORTED_BY]->(s)
                WHERE t.status IN ['INVITED', 'ACTIVE'] } AS tied
"""

SUPPORTER_ORGANISATION = """
MATCH (s:Organisation {id: $supporterId})
RETURN 'ACTIVE' AS status,
       EXISTS { MATCH (:Member {id: $memberId})-[t:SUPPORTED_BY]->(s)
                WHERE t.status IN ['INVITED', 'ACTIVE'] } AS tied
"""

CREATE_TIE_TO_PERSON = """
MATCH (m:Member {id: $memberId})
MATCH (s:Person {id: $supporterId})
CREATE (m)-[t:SUPPORTED_BY {id: $tieId, relation: $relation, status: $status, since: $now}]->(s)
RETURN t.id AS id
"""

CREATE_TIE_TO_ORGANISATION = """
MATCH (m:Member {id: $memberId})
MATCH (s:Organisation {id: $supporterId})
CREATE (m)-[t:SUPPORTED_BY {id: $tieId, relation: $relation, status: $status, since: $now}]->(s)
RETURN t.id AS id
"""

CREATE_TIE_TO_NEW_PERSON = """
MATCH (m:Member {id: $memberId})
CREATE (s:Person {id: $supporterId, displayName: $displayName, createdAt: $now, updatedAt: $now})
CREATE (m)-[t:SUPPORTED_BY {id: $tieId, relation: $relation, status: $status, since: $now}]->(s)
RETURN t.id AS id
"""

TIE_BY_ID = """
MATCH (m:Member)-[t:SUPPORTED_BY {id: $id}]->(s)
RETURN m.id AS memberId, m.displayName AS memberName,
       t{.id, .relation, .status, .since, .endedAt, .endedFrom} AS tie,
       s.id AS supporterId, coalesce(s.displayName, s.name) AS supporterName,
       s.kind AS organisationKind,
       labels(s) AS labels,
       EXISTS { MATCH (s)-[r:SUPPORTED_BY]->(m) WHERE r.status = 'ACTIVE' } AS reciprocal
"""

CIRCLES = """
UNWIND $ids AS wanted
MATCH (m:Member {id: wanted})-[t:SUPPORTED_BY]->(s)
WHERE t.status IN $statuses
RETURN m.id AS memberId, m.displayName AS memberName,
       t{.id, .relation, .status, .since, .endedAt, .endedFrom} AS tie,
       s.id AS supporterId, coalesce(s.displayName, s.name) AS supporterName,
       s.kind AS organisationKind,
       labels(s) AS labels,
       EXISTS { MATCH (s)-[r:SUPPORTED_BY]->(m) WHERE r.status = 'ACTIVE' } AS reciprocal
ORDER BY t.since, t.id
"""

SUPPORTING = """
UNWIND $ids AS wanted
MATCH (m:Member)-[t:SUPPORTED_BY]->(s:Member {id: wanted})
WHERE t.status IN $statuses
RETURN m.id AS memberId, m.displayName AS memberName,
       t{.id, .relation, .status, .since, .endedAt, .endedFrom} AS tie,
       s.id AS supporterId, coalesce(s.displayName, s.name) AS supporterName,
       s.kind AS organisationKind,
       labels(s) AS labels,
       EXISTS { MATCH (s)-[r:SUPPORTED_BY]->(m) WHERE r.status = 'ACTIVE' } AS reciprocal
ORDER BY t.since, t.id
"""

PERSON_BY_ID = """
MATCH (p:Person {id: $id})
WHERE NOT p:Member
RETURN p.id AS id, p.displayName AS name
"""

# Each change counts itself on the tie first and only then tests the status: the write takes
# the tie's lock on Neo4j (and makes a concurrent change conflict and retry on the embedded
# engine), so of an accept and an end racing on one tie exactly one succeeds.
RESPOND = """
MATCH (:Member)-[t:SUPPORTED_BY {id: $id}]->(:Member)
SET t.changes = coalesce(t.changes, 0) + 1
WITH t
WHERE t.status = 'INVITED'
SET t.status = $status, t.respondedAt = $now
RETURN t.id AS id
"""

UPDATE_RELATION = """
MATCH (:Member)-[t:SUPPORTED_BY {id: $id}]->()
SET t.changes = coalesce(t.changes, 0) + 1
WITH t
WHERE t.status IN ['INVITED', 'ACTIVE']
SET t.relation = $relation
RETURN t.id AS id
"""

# endedFrom keeps whether the tie had been accepted (an invitation ended unanswered had not).
END_TIE = """
MATCH (:Member)-[t:SUPPORTED_BY {id: $id}]->()
SET t.changes = coalesce(t.changes, 0) + 1
WITH t
WHERE t.status IN ['INVITED', 'ACTIVE']
WITH t, t.status AS was
SET t.status = 'ENDED', t.endedAt = $now, t.endedFrom = was
RETURN t.id AS id
"""

OPEN = [TieStatus.INVITED.value, TieStatus.ACTIVE.value]
ALL = [status.value for status in TieStatus]


def _kind(labels: list[str]) -> SupporterKind:
    if "Member" in labels:
        return SupporterKind.MEMBER
    if "Organisation" in labels:
        return SupporterKind.ORGANISATION
    return SupporterKind.PERSON


def to_tie(row: dict[str, Any]) -> Tie:
    """A Tie from a row of the tie columns."""
    tie = row["tie"]
    status = TieStatus(tie["status"])
    # A tie ended before endedFrom was kept counts as accepted, as its name always showed.
    unanswered = status in (TieStatus.INVITED, TieStatus.DECLINED) or (
        status is TieStatus.ENDED and tie.get("endedFrom") == TieStatus.INVITED.value
    )
    kind = _kind(row["labels"])
    # An organisation's kind comes with the tie: no second query to show the organisation.
    organisation_kind = row.get("organisationKind") if kind is SupporterKind.ORGANISATION else None
    return Tie(
        id=tie["id"],
        member_id=row["memberId"],
        member_name=row["memberName"],
        supporter=Supporter(
            row["supporterId"],
            kind,
            row["supporterName"],
            OrganisationKind(organisation_kind) if organisation_kind else None,
        ),
        relation=Relation(tie["relation"]),
        status=status,
        since=tie["since"],
        ended_at=tie.get("endedAt"),
        reciprocal=bool(row["reciprocal"]),
        accepted=not unanswered,
    )


class AddRefusal(enum.Enum):
    """Why a tie could not be added (checked inside the write transaction)."""

    MEMBER_MISSING = "member missing"
    MEMBER_NOT_ACTIVE = "member not active"
    SUPPORTER_MISSING = "supporter missing"
    SUPPORTER_NOT_ACTIVE = "supporter not active"
    ALREADY_IN_CIRCLE = "already in circle"
    CIRCLE_FULL = "circle full"


@dataclass(frozen=True)
class NewTie:
    """What to add: the tie's id, its relation and status, and whom it points at."""

    tie_id: str
    member_id: str
    relation: Relation
    status: TieStatus
    supporter_kind: SupporterKind
    supporter_id: str
    new_person_name: str | None = None


async def add_tie(store: Store, new: NewTie, circle_max: int, now: str) -> AddRefusal | None:
    """Add a tie unless a rule refuses it; the circle limit holds under concurrency."""

    async def work(tx: Tx) -> AddRefusal | None:
        member = await tx.run(LOCK_MEMBER, memberId=new.member_id)
        if not member:
            return AddRefusal.MEMBER_MISSING
        if member[0]["status"] != MemberStatus.ACTIVE.value:
            return AddRefusal.MEMBER_NOT_ACTIVE
        params = {
            "memberId": new.member_id,
            "supporterId": new.supporter_id,
            "tieId": new.tie_id,
            "relation": new.relation.value,
            "status": new.status.value,
            "now": now,
        }
        if new.new_person_name is None:
            check = (
                SUPPORTER_ORGANISATION
                if new.supporter_kind is SupporterKind.ORGANISATION
                else SUPPORTER_MEMBER
            )
            found = await tx.run(check, memberId=new.member_id, supporterId=new.supporter_id)
            if not found:
                return AddRefusal.SUPPORTER_MISSING
            if found[0]["status"] != MemberStatus.ACTIVE.value:
                return AddRefusal.SUPPORTER_NOT_ACTIVE
            if found[0]["tied"]:
                return AddRefusal.ALREADY_IN_CIRCLE
        if int(member[0]["open"]) >= circle_max:
            return AddRefusal.CIRCLE_FULL
        if new.new_person_name is not None:
            await tx.run(CREATE_TIE_TO_NEW_PERSON, displayName=new.new_person_name, **params)
        elif new.supporter_kind is SupporterKind.ORGANISATION:
            await tx.run(CREATE_TIE_TO_ORGANISATION, **params)
        else:
            await tx.run(CREATE_TIE_TO_PERSON, **params)
        return None

    return await store.transaction(work)


async def tie_by_id(store: Store, tie_id: str) -> Tie | None:
    """One tie, or None."""
    rows = await store.read(TIE_BY_ID, id=tie_id)
    return to_tie(rows[0]) if rows else None


async def circles(store: Store, member_ids: list[str], include_ended: bool) -> dict[str, list[Tie]]:
    """Each member's circle (open ties, or every tie with history)."""
    rows = await store.read(
        CIRCLES, ids=list(dict.fromkeys(member_ids)), statuses=ALL if include_ended else OPEN
    )
    found: dict[str, list[Tie]] = {member_id: [] for member_id in member_ids}
    for row in rows:
        found[row["memberId"]].append(to_tie(row))
    return found


async def supporting(
    store: Store, member_ids: list[str], statuses: list[TieStatus]
) -> dict[str, list[Tie]]:
    """The ties in which each member is the supporter, with the given statuses."""
    rows = await store.read(
        SUPPORTING, ids=list(dict.fromkeys(member_ids)), statuses=[s.value for s in statuses]
    )
    found: dict[str, list[Tie]] = {member_id: [] for member_id in member_ids}
    for row in rows:
        found[row["supporterId"]].append(to_tie(row))
    return found


async def _changed(store: Store, query: LiteralString, tie_id: str, **params: Any) -> Tie | None:
    # The tie is read back in the same transaction: the answer is the state this change made,
    # never a later one written by someone else in between.
    async def work(tx: Tx) -> Tie | None:
        if not await tx.run(query, id=tie_id, **params):
            return None
        return to_tie((await tx.run(TIE_BY_ID, id=tie_id))[0])

    return await store.transaction(work)


async def respond(store: Store, tie_id: str, accept: bool, now: str) -> Tie | None:
    """Accept or decline an invitation; None when it is no longer pending."""
    status = TieStatus.ACTIVE if accept else TieStatus.DECLINED
    return await _changed(store, RESPOND, tie_id, status=status.value, now=now)


async def update_relation(store: Store, tie_id: str, relation: Relation) -> Tie | None:
    """Change an open tie's relation; None when the tie is not open."""
    return await _changed(store, UPDATE_RELATION, tie_id, relation=relation.value)


async def end_tie(store: Store, tie_id: str, now: str) -> Tie | None:
    """End an open tie, keeping its history; None when the tie is not open."""
    return await _changed(store, END_TIE, tie_id, now=now)


async def person_by_id(store: Store, person_id: str) -> Supporter | None:
    """A supporter who is not a member, or None."""
    rows = await store.read(PERSON_BY_ID, id=person_id)
    return Supporter(rows[0]["id"], SupporterKind.PERSON, rows[0]["name"]) if rows else None
