"""Group commit for the audit trail: concurrent requests' events appended in one write.

A coordinator's read must not be answered before its audit events are durable. Writing each
request's events in its own transaction costs a commit per request; here the requests that
arrive while one write is in flight wait together for the next one, and each is answered once
the write holding its events has committed (or fails with that write's error).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging

from graph_service.domain import AuditEvent
from graph_service.store import Store
from graph_service.store import audit as store_audit

log = logging.getLogger(__name__)


class GroupCommit:
    """Appends audit events, batching those of concurrent callers."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._waiting: list[tuple[list[AuditEvent], asyncio.Future[None]]] = []
        self._writing = False
        self.writes = 0  # how many writes carried the events (for tests and bench/)

    async def append(self, events: list[AuditEvent]) -> None:
        """Append events; return once they are committed."""
        if not events:
            return
        if self.store.in_transaction:
            # A mutation's own transaction: the events commit with its writes.
            await store_audit.append(self.store, events)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((events, future))
        if not self._writing:
            self._writing = True
            # A context of its own: no request's deadline or transaction applies to the batch.
            asyncio.get_running_loop().create_task(self._drain(), context=contextvars.Context())
        await future

    async def _drain(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    await store_audit.append(self.store, [e for events, _ in batch for e in events])
                    self.writes += 1
                except Exception as exc:
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                else:
                    for _, future in batch:
                        if not future.done():
                            future.set_result(None)
        finally:
            self._writing = False
