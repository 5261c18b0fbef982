"""Group commit: concurrent requests' audit events share writes, and none is answered early."""

from __future__ import annotations

import asyncio

import pytest

from graph_service.auth import Principal, Role
from graph_service.errors import ConstraintViolation
from graph_service.services import Services
from graph_service.store import Store

COORDINATOR = Principal(Role.COORDINATOR, subject="coordinator:test")
COUNT_READS = "MATCH (e:AuditEvent {action: 'member.read'}) RETURN count(e) AS n"


async def _members(services: Services, count: int) -> list[str]:
    ids = []
    for n in range(count):
        outcome = await services.members.register(COORDINATOR, f"Grouped {n}", None)
        assert outcome.value is not None
        ids.append(outcome.value.id)
    return ids


async def test_concurrent_reads_share_audit_writes(store: Store) -> None:
    services = Services.build(store)
    ids = await _members(services, 30)
    before = services.audit.group.writes
    await asyncio.gather(
        *(services.audit.record_reads([(COORDINATOR, "member.read", m)]) for m in ids)
    )
    # Every event is committed when its caller goes on, in fewer writes than callers.
    assert (await store.read(COUNT_READS))[0]["n"] == 30
    assert services.audit.group.writes - before < 30


async def test_a_failed_batch_fails_every_caller_in_it(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = Services.build(store)
    ids = await _members(services, 3)
    (taken,) = await store.read("MATCH (e:AuditEvent) RETURN e.id AS id ORDER BY e.at LIMIT 1")
    # Every event gets an id the trail already holds: the engine refuses the write.
    monkeypatch.setattr("graph_service.services.audit.new_id", lambda: taken["id"])
    results = await asyncio.gather(
        *(services.audit.record_reads([(COORDINATOR, "member.read", m)]) for m in ids),
        return_exceptions=True,
    )
    assert all(isinstance(r, ConstraintViolation) for r in results), results
    assert (await store.read(COUNT_READS))[0]["n"] == 0
