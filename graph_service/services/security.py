"""Security events: refusals noted in memory at once, written in batches, listed for coordinators.

`note` never does I/O and never raises, so a refusal is neither slowed nor turned into a 500
by its recording. `flush` writes what is waiting in one statement, in a task of its own (so
never inside the refused request's transaction); a background loop calls it every few
seconds, the app once more at shutdown, and the listing before it reads.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import logging
import secrets
from datetime import UTC, datetime, timedelta

from graph_service.auth import Principal
from graph_service.domain import Page
from graph_service.logs import request_id_var
from graph_service.security_events import (
    MAX_KEYS,
    SecurityEvent,
    SecurityEventBuffer,
    SecurityEventKind,
    client_hash,
)
from graph_service.services import access
from graph_service.services.audit import actor_id
from graph_service.store import Store
from graph_service.store import security as store_security

log = logging.getLogger(__name__)

FLUSH_SECONDS = 5.0
CLOSE_SECONDS = 5.0
RETENTION_DAYS = 90
PURGE_EVERY = timedelta(hours=1)


def derive_client_key(secret: str | None) -> bytes:
    """The key of client-address hashes: from AUTH_SECRET (as on every replica), else random."""
    if not secret:
        return secrets.token_bytes(32)
    return hashlib.sha256(b"security-event-client|" + secret.encode()).digest()


class SecurityEventService:
    """Records refused requests as coalesced security events and lists them to coordinators."""

    def __init__(self, store: Store, *, client_secret: str | None = None) -> None:
        self.store = store
        self.buffer = SecurityEventBuffer()
        self._key = derive_client_key(client_secret)
        self._hashes: dict[tuple[str, str], str] = {}  # (day, address) -> hash, bounded
        self._lock: asyncio.Lock | None = None
        self._purged: datetime | None = None

    def note(
        self,
        kind: SecurityEventKind,
        reason: str,
        *,
        principal: Principal | None = None,
        client: str | None = None,
    ) -> None:
        """Count one refusal of the current request (no I/O; never raises)."""
        try:
            now = datetime.now(UTC)
            self.buffer.note(
                kind,
                reason,
                at=now,
                actor_id=actor_id(principal) if principal else None,
                client=self._client_hash(client, now) if client else None,
                request_id=request_id_var.get(),
            )
        except Exception:
            log.exception("could not note a security event")

    def _client_hash(self, address: str, now: datetime) -> str:
        key = (now.date().isoformat(), address)
        found = self._hashes.get(key)
        if found is None:
            if len(self._hashes) >= MAX_KEYS:
                self._hashes.clear()
            found = self._hashes[key] = client_hash(address, self._key, key[0])
        return found

    async def flush(self) -> int:
        """Write what is waiting; returns how many records were written (0 on failure)."""
        # A task with an empty context: no request's transaction or deadline is joined, and
        # a cancelled caller does not cut the write off halfway.
        task = asyncio.create_task(self._flush(), context=contextvars.Context())
        return await asyncio.shield(task)

    async def _flush(self) -> int:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            events = self.buffer.drain()
            if not events:
                return 0
            try:
                await store_security.record(self.store, events)
            except BaseException as exc:
                self._keep(events)
                if not isinstance(exc, Exception):
                    raise
                log.warning("could not record %d security events", len(events), exc_info=True)
                return 0
            log.info(
                "recorded security events",
                extra={"records": len(events), "refusals": sum(e.count for e in events)},
            )
            return len(events)

    def _keep(self, events: list[SecurityEvent]) -> None:
        dropped = self.buffer.restore(events)
        if dropped:
            log.warning("dropped %d security event records: too many waiting", dropped)

    async def purge_old(self) -> None:
        """Delete events older than the retention period (at most once an hour)."""
        now = datetime.now(UTC)
        if self._purged is not None and now - self._purged < PURGE_EVERY:
            return
        self._purged = now
        before = (now - timedelta(days=RETENTION_DAYS)).isoformat(timespec="milliseconds")
        try:
            await store_security.purge(self.store, before)
        except Exception:
            log.warning("could not purge old security events", exc_info=True)

    async def close(self) -> None:
        """Write what is still waiting, at shutdown (giving up after CLOSE_SECONDS)."""
        try:
            async with asyncio.timeout(CLOSE_SECONDS):
                await self.flush()
        except TimeoutError:
            log.warning("security events not written at shutdown: the graph did not answer")

    async def run(self, interval: float = FLUSH_SECONDS) -> None:
        """Flush every `interval` seconds, and purge old events, until cancelled."""
        while True:
            await asyncio.sleep(interval)
            await self.flush()
            await self.purge_old()

    async def log(
        self,
        principal: Principal,
        *,
        offset: int,
        limit: int,
        kind: SecurityEventKind | None = None,
    ) -> Page[SecurityEvent]:
        """Security events, newest first, for coordinators (what is waiting is written first)."""
        access.require_coordinator(principal)
        await self.flush()
        return await store_security.events(self.store, offset=offset, limit=limit, kind=kind)
