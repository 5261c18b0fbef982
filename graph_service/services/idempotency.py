"""Idempotency keys: a retried mutation gets its first response back and writes nothing.

Clients send an ``Idempotency-Key`` header with a mutation. The response is kept, under the
caller and the key, in the same transaction as the mutation's writes, for
IDEMPOTENCY_KEY_HOURS; a retry with the same key and the same request gets that response
back, a retry with the same key and a different request is refused.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from graph_service.auth import Principal
from graph_service.errors import IdempotencyKeyReused, InvalidInput
from graph_service.services.audit import actor_id
from graph_service.services.validation import now_iso
from graph_service.store import Store
from graph_service.store import idempotency as store_keys

# Room for a UUID, a ULID or a client's own scheme; nothing that could smuggle markup or
# control characters into logs.
_KEY = re.compile(r"^[A-Za-z0-9._:+/=-]{8,128}$")


@dataclass(frozen=True)
class Key:
    """A caller's key for one request: stored under a hash of caller and key."""

    id: str
    actor_id: str
    fingerprint: str


def request_fingerprint(query: str, variables: str, operation_name: str | None) -> str:
    """What a retry must repeat for the key to apply: the document, variables, operation."""
    digest = hashlib.sha256()
    for part in (query, variables, operation_name or ""):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


class IdempotencyService:
    """Keeps and finds the responses of keyed mutations."""

    def __init__(self, store: Store, hours: float = 24.0) -> None:
        self.store = store
        self.hours = hours

    def key(self, principal: Principal, value: str, fingerprint: str) -> Key:
        """The caller's key, checked (InvalidInput when it is not a usable key)."""
        if not _KEY.match(value):
            raise InvalidInput(
                "Idempotency-Key must be 8 to 128 characters: letters, digits and . _ : + / = -"
            )
        actor = actor_id(principal)
        # Scoped to the caller: one caller's key can never return another caller's response.
        key_id = hashlib.sha256(f"{actor}\0{value}".encode()).hexdigest()
        return Key(key_id, actor, fingerprint)

    async def replay(self, key: Key) -> str | None:
        """The response kept under this key, if any; refuses a key reused for another request."""
        stored = await store_keys.find(self.store, key.id, now=now_iso())
        if stored is None:
            return None
        if stored.fingerprint != key.fingerprint:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was used for a different request; use a new key"
            )
        return stored.response

    async def keep(self, key: Key, response: str) -> None:
        """Keep the response of the request made with this key."""
        now = datetime.now(UTC)
        await store_keys.save(
            self.store,
            key.id,
            actor_id=key.actor_id,
            fingerprint=key.fingerprint,
            response=response,
            now=now.isoformat(timespec="milliseconds"),
            expires_at=(now + timedelta(hours=self.hours)).isoformat(timespec="milliseconds"),
        )

    async def purge_expired(self) -> int:
        """Delete kept responses past their time; how many."""
        return await store_keys.delete_expired(self.store, now=now_iso())

    async def forget(self, actor_ids: list[str], texts: list[str]) -> int:
        """Delete kept responses made by these actors or mentioning these texts (erasure)."""
        return await store_keys.delete_mentioning(self.store, actor_ids=actor_ids, texts=texts)
