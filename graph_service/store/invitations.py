"""Cypher for members inviting members: connect codes, and invitations checked against them.

``(:ConnectCode {hash, memberId, createdAt, expiresAt, uses, usedAt})`` is kept only as a
SHA-256 hash of the code and linked to nothing, so erasing a member deletes their codes by
``memberId``. A member's wrong codes are counted on their node (``codeMisses`` since
``codeMissesSince``), so guessing codes is bounded.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from graph_service.domain import MemberStatus
from graph_service.store.circles import CREATE_TIE_TO_PERSON, NewTie
from graph_service.store.connection import Store, Tx

MEMBER_STATUS = "MATCH (m:Member {id: $memberId}) RETURN m.status AS status"

# Codes live for a day or so: what is past its time is only clutter.
PURGE_CODES = """
MATCH (c:ConnectCode) WHERE c.expiresAt < $now
DELETE c
RETURN count(*) AS purged
"""

# One code per member at a time: a new code replaces the member's older ones, used or not.
DROP_MEMBER_CODES = """
MATCH (c:ConnectCode {memberId: $memberId})
DELETE c
RETURN count(*) AS dropped
"""

CREATE_CODE = """
CREATE (c:ConnectCode {hash: $hash, memberId: $memberId, createdAt: $now,
                       expiresAt: $expiresAt, uses: 0})
RETURN c.hash AS hash
"""

# Writing to the inviter's node first serialises their adds (the circle limit stays exact)
# and their count of wrong codes.
LOCK_INVITER = """
MATCH (m:Member {id: $memberId})
SET m.circleVersion = coalesce(m.circleVersion, 0) + 1
RETURN m.status AS status,
       COUNT { MATCH (m)-[t:SUPPORTED_BY]->() WHERE t.status IN ['INVITED', 'ACTIVE'] } AS open,
       coalesce(m.codeMisses, 0) AS misses, m.codeMissesSince AS missesSince
"""

COUNT_MISS = """
MATCH (m:Member {id: $memberId})
SET m.codeMisses = $misses, m.codeMissesSince = $since
RETURN m.id AS id
"""

FIND_CODE = """
MATCH (c:ConnectCode {hash: $hash})
WHERE c.uses = 0 AND c.expiresAt > $now
RETURN c.memberId AS memberId, c.createdAt AS createdAt
"""

# Count the use first, then test it: two inviters racing with one code never both see 1.
USE_CODE = """
MATCH (c:ConnectCode {hash: $hash})
SET c.uses = c.uses + 1, c.usedAt = $now
WITH c
WHERE c.uses = 1
RETURN c.memberId AS memberId
"""

INVITEE = """
MATCH (a:Member {id: $memberId}), (b:Member {id: $supporterId})
RETURN b.status AS status,
       EXISTS { MATCH (a)-[t:SUPPORTED_BY]->(b) WHERE t.status IN ['INVITED', 'ACTIVE'] } AS tied,
       EXISTS { MATCH (b)-[r:SUPPORTED_BY]->(a) WHERE r.status = 'ACTIVE' } AS supportsInviter
"""

DECLINES = """
MATCH (:Member {id: $memberId})-[d:SUPPORTED_BY]->(:Member {id: $supporterId})
WHERE d.status = 'DECLINED' AND d.respondedAt IS NOT NULL
RETURN d.respondedAt AS at
"""


class CodeRefusal(enum.Enum):
    """Why a member could not make a connect code."""

    MEMBER_MISSING = "member missing"
    MEMBER_NOT_ACTIVE = "member not active"


async def create_code(
    store: Store, *, hash: str, member_id: str, now: str, expires_at: str
) -> CodeRefusal | None:
    """Keep a member's new code (by its hash) in place of their older ones."""

    async def work(tx: Tx) -> CodeRefusal | None:
        member = await tx.run(MEMBER_STATUS, memberId=member_id)
        if not member:
            return CodeRefusal.MEMBER_MISSING
        if member[0]["status"] != MemberStatus.ACTIVE.value:
            return CodeRefusal.MEMBER_NOT_ACTIVE
        await tx.run(PURGE_CODES, now=now)
        await tx.run(DROP_MEMBER_CODES, memberId=member_id)
        await tx.run(CREATE_CODE, hash=hash, memberId=member_id, now=now, expiresAt=expires_at)
        return None

    return await store.transaction(work)


class InviteRefusal(enum.Enum):
    """Why one member could not invite another (checked inside the write transaction)."""

    # The first five are about the inviter's own circle; the rest are about the other member,
    # and the service answers them all alike.

    INVITER_MISSING = "inviter missing"
    INVITER_NOT_ACTIVE = "inviter not active"
    CIRCLE_FULL = "circle full"
    SELF_SUPPORT = "self support"
    ALREADY_IN_CIRCLE = "already in circle"
    CODE_NOT_VALID = "code unknown, expired, used or too many tries"
    NO_SUCH_MEMBER = "no such member"
    NOT_ACTIVE = "member not active"
    NOT_CONNECTED = "no code, and the member does not have the inviter as a supporter"
    COOLING_OFF = "the member declined the inviter lately"


@dataclass(frozen=True)
class InviteRules:
    """How an invitation is checked."""

    code_hash: str | None  # the hash of the connect code given; None: a member id was given
    # Without a code, the invited member must have the inviter as an ACTIVE supporter.
    need_support: bool
    # A decline after this (and after the code was made) refuses; None: no cooling-off.
    declined_since: str | None
    # Once the inviter gave max_misses wrong codes since misses_since, every code is refused.
    misses_since: str
    max_misses: int


async def invite(
    store: Store, new: NewTie, rules: InviteRules, circle_max: int, now: str
) -> str | InviteRefusal:
    """Invite a member into a circle unless a rule refuses; the invited member's id."""

    async def work(tx: Tx) -> str | InviteRefusal:
        inviter = await tx.run(LOCK_INVITER, memberId=new.member_id)
        if not inviter:
            return InviteRefusal.INVITER_MISSING
        if inviter[0]["status"] != MemberStatus.ACTIVE.value:
            return InviteRefusal.INVITER_NOT_ACTIVE
        # Before anything about the other member: a full circle says nothing about them.
        if int(inviter[0]["open"]) >= circle_max:
            return InviteRefusal.CIRCLE_FULL
        code_made = None
        supporter_id = new.supporter_id
        if rules.code_hash is not None:
            found = await _find_code(tx, new.member_id, inviter[0], rules, now)
            if found is None:
                return InviteRefusal.CODE_NOT_VALID
            supporter_id, code_made = found["memberId"], found["createdAt"]
        if supporter_id == new.member_id:
            return InviteRefusal.SELF_SUPPORT
        refusal = await _check_invitee(tx, new.member_id, supporter_id, rules, code_made)
        if refusal is not None:
            return refusal
        if rules.code_hash is not None and not await tx.run(
            USE_CODE, hash=rules.code_hash, now=now
        ):
            return InviteRefusal.CODE_NOT_VALID
        await tx.run(
            CREATE_TIE_TO_PERSON,
            memberId=new.member_id,
            supporterId=supporter_id,
            tieId=new.tie_id,
            relation=new.relation.value,
            status=new.status.value,
            now=now,
        )
        return str(supporter_id)

    return await store.transaction(work)


async def _find_code(
    tx: Tx, member_id: str, inviter: dict[str, Any], rules: InviteRules, now: str
) -> dict[str, Any] | None:
    """The code's maker and when it was made; a wrong code is counted against the inviter."""
    assert rules.code_hash is not None
    since = inviter["missesSince"]
    misses = int(inviter["misses"]) if since and since > rules.misses_since else 0
    if misses >= rules.max_misses:
        return None
    found = await tx.run(FIND_CODE, hash=rules.code_hash, now=now)
    if found:
        return found[0]
    await tx.run(
        COUNT_MISS,
        memberId=member_id,
        misses=misses + 1,
        since=since if misses else now,
    )
    return None


async def _check_invitee(
    tx: Tx, member_id: str, supporter_id: str, rules: InviteRules, code_made: str | None
) -> InviteRefusal | None:
    found = await tx.run(INVITEE, memberId=member_id, supporterId=supporter_id)
    if not found:
        return InviteRefusal.NO_SUCH_MEMBER
    # The inviter sees their own circle: saying so tells them nothing new.
    if found[0]["tied"]:
        return InviteRefusal.ALREADY_IN_CIRCLE
    if found[0]["status"] != MemberStatus.ACTIVE.value:
        return InviteRefusal.NOT_ACTIVE
    if rules.need_support and code_made is None and not found[0]["supportsInviter"]:
        return InviteRefusal.NOT_CONNECTED
    if rules.declined_since is not None:
        # A code the member made after declining is their own new act: it lifts the pause.
        since = max(rules.declined_since, code_made or "")
        declines = await tx.run(DECLINES, memberId=member_id, supporterId=supporter_id)
        if any(str(row["at"]) > since for row in declines):
            return InviteRefusal.COOLING_OFF
    return None
