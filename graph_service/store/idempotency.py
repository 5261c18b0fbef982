"""Cypher for idempotency keys: the first response to a keyed mutation, kept for its retries.

A key is saved in the same transaction as the mutation's writes, so a mutation whose writes
committed always has its response kept, and one that failed never does.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph_service.store.connection import Store

FIND = """
MATCH (k:IdempotencyKey {id: $id})
RETURN k.fingerprint AS fingerprint, k.response AS response, k.expiresAt AS expiresAt
"""

DELETE = """
MATCH (k:IdempotencyKey {id: $id})
DELETE k
"""

SAVE = """
CREATE (k:IdempotencyKey {id: $id, actorId: $actorId, fingerprint: $fingerprint,
                          response: $response, createdAt: $now, expiresAt: $expiresAt})
RETURN k.id AS id
"""

DELETE_EXPIRED = """
MATCH (k:IdempotencyKey)
WHERE k.expiresAt <= $now
DELETE k
RETURN count(*) AS deleted
"""

# A kept response may name a member (a registration's display name): erasure removes every
# response that mentions them, and every one their own keys kept.
DELETE_MENTIONING = """
MATCH (k:IdempotencyKey)
WHERE k.actorId IN $actorIds OR any(text IN $texts WHERE k.response CONTAINS text)
DELETE k
RETURN count(*) AS deleted
"""


@dataclass(frozen=True)
class StoredResponse:
    """A kept response and what the request that made it looked like."""

    fingerprint: str
    response: str
    expires_at: str


async def find(store: Store, key_id: str, *, now: str) -> StoredResponse | None:
    """The response kept under a key, if it has not expired (an expired one is deleted)."""
    rows = await store.read(FIND, id=key_id)
    if not rows:
        return None
    row = rows[0]
    if row["expiresAt"] <= now:
        await store.write(DELETE, id=key_id)
        return None
    return StoredResponse(row["fingerprint"], row["response"], row["expiresAt"])


async def save(
    store: Store,
    key_id: str,
    *,
    actor_id: str,
    fingerprint: str,
    response: str,
    now: str,
    expires_at: str,
) -> None:
    """Keep a response under a key."""
    await store.append(
        SAVE,
        id=key_id,
        actorId=actor_id,
        fingerprint=fingerprint,
        response=response,
        now=now,
        expiresAt=expires_at,
    )


async def delete_expired(store: Store, *, now: str) -> int:
    """Delete the keys past their expiry; how many."""
    rows = await store.append(DELETE_EXPIRED, now=now)
    return int(rows[0]["deleted"]) if rows else 0


async def delete_mentioning(store: Store, *, actor_ids: list[str], texts: list[str]) -> int:
    """Delete the kept responses of these actors or that contain any of these texts."""
    texts = [text for text in texts if text]
    rows = await store.append(DELETE_MENTIONING, actorIds=actor_ids, texts=texts)
    return int(rows[0]["deleted"]) if rows else 0
