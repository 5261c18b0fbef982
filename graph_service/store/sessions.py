"""Cypher for web sign-in: one-time links and sessions, each kept only as a hash of its secret.

``(:SigninLink {hash, role, memberId, collegeId, subject, createdAt, expiresAt, uses})`` and
``(:WebSession {hash, role, memberId, collegeId, subject, csrf, createdAt, expiresAt})``: linked
to nothing, so erasing a member deletes their sessions by ``memberId``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph_service.store.connection import Store, Tx

CREATE_LINK = """
CREATE (l:SigninLink {hash: $hash, role: $role, memberId: $memberId, collegeId: $collegeId,
                      subject: $subject, createdAt: $now, expiresAt: $expiresAt, uses: 0})
RETURN l.hash AS hash
"""

# Count the use first, then test it: the write takes the link's lock (or, on the embedded
# engine, makes a concurrent redeemer conflict and retry), so two redeemers never both see 1.
REDEEM_LINK = """
MATCH (l:SigninLink {hash: $hash})
SET l.uses = l.uses + 1
WITH l
WHERE l.uses = 1 AND l.expiresAt > $now
CREATE (s:WebSession {hash: $sessionHash, role: l.role, memberId: l.memberId,
                      collegeId: l.collegeId, subject: l.subject, csrf: $csrf,
                      createdAt: $now,
                      expiresAt: CASE l.role WHEN 'coordinator' THEN $expiry.coordinator
                                             WHEN 'college' THEN $expiry.college
                                             ELSE $expiry.member END})
RETURN s{.role, .memberId, .collegeId, .subject, .csrf, .expiresAt} AS session
"""

# Links live for minutes and sessions for hours: what is past its time is only clutter.
PURGE_LINKS = """
MATCH (l:SigninLink) WHERE l.expiresAt < $now
DELETE l
RETURN count(*) AS purged
"""

PURGE_SESSIONS = """
MATCH (s:WebSession) WHERE s.expiresAt < $now
DELETE s
RETURN count(*) AS purged
"""

SESSION = """
MATCH (s:WebSession {hash: $hash})
WHERE s.expiresAt > $now
RETURN s{.role, .memberId, .collegeId, .subject, .csrf, .expiresAt} AS session
"""

END_SESSION = """
MATCH (s:WebSession {hash: $hash})
DELETE s
RETURN count(*) AS ended
"""

END_MEMBER_SESSIONS = """
MATCH (s:WebSession {memberId: $memberId})
DELETE s
RETURN count(*) AS ended
"""

COUNT_MEMBER_SESSIONS = """
MATCH (s:WebSession {memberId: $memberId})
WHERE s.expiresAt > $now
RETURN count(s) AS sessions
"""


@dataclass(frozen=True)
class StoredSession:
    """A web session as the graph holds it (its secret is never stored)."""

    role: str
    member_id: str | None
    college_id: str | None
    subject: str
    csrf: str
    expires_at: str


def _session(row: dict[str, Any]) -> StoredSession:
    s = row["session"]
    return StoredSession(
        s["role"], s["memberId"], s["collegeId"], s["subject"] or "", s["csrf"], s["expiresAt"]
    )


async def create_link(
    store: Store,
    *,
    hash: str,
    role: str,
    member_id: str | None,
    college_id: str | None,
    subject: str,
    now: str,
    expires_at: str,
) -> None:
    """Keep a new sign-in link (by its hash), clearing out expired links and sessions."""

    async def work(tx: Tx) -> None:
        await tx.run(PURGE_LINKS, now=now)
        await tx.run(PURGE_SESSIONS, now=now)
        await tx.run(
            CREATE_LINK,
            hash=hash,
            role=role,
            memberId=member_id,
            collegeId=college_id,
            subject=subject,
            now=now,
            expiresAt=expires_at,
        )

    await store.transaction(work)


async def redeem_link(
    store: Store,
    *,
    hash: str,
    session_hash: str,
    csrf: str,
    now: str,
    expiry: dict[str, str],
) -> StoredSession | None:
    """Use a link once: the new session, or None for a used, expired or unknown link.

    ``expiry`` maps each role's name to when a session of that role ends.
    """
    # Sessions are not what analyses read: the projection cache stays valid.
    rows = await store.append(
        REDEEM_LINK,
        hash=hash,
        sessionHash=session_hash,
        csrf=csrf,
        now=now,
        expiry=expiry,
    )
    return _session(rows[0]) if rows else None


async def session(store: Store, hash: str, now: str) -> StoredSession | None:
    """The live session with this hash, if any."""
    rows = await store.read(SESSION, hash=hash, now=now)
    return _session(rows[0]) if rows else None


async def end_session(store: Store, hash: str) -> None:
    """End one session (signing out)."""
    await store.append(END_SESSION, hash=hash)


async def end_member_sessions(store: Store, member_id: str) -> int:
    """End every session of a member; how many there were."""
    rows = await store.append(END_MEMBER_SESSIONS, memberId=member_id)
    return int(rows[0]["ended"]) if rows else 0


async def member_sessions(store: Store, member_id: str, now: str) -> int:
    """How many live sessions a member has."""
    rows = await store.read(COUNT_MEMBER_SESSIONS, memberId=member_id, now=now)
    return int(rows[0]["sessions"])
