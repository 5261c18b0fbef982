"""A new graph: the first members registered at once, before any member exists, all succeed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from graph_service.auth import Principal, Role
from graph_service.engine import EmbeddedEngine
from graph_service.services import Services
from graph_service.store import Store
from graph_service.store.migrations import apply_constraints

pytestmark = pytest.mark.slow

COORDINATOR = Principal(Role.COORDINATOR, subject="coordinator:test")
AT_ONCE = 8
# The type the embedded engine keeps (:Person:Member) nodes in.
MEMBER_TYPE = "Member~Person"


def _engine_types(engine: EmbeddedEngine) -> set[str]:
    query = {"language": "sql", "command": "SELECT name FROM schema:types"}
    answer = engine._http("POST", f"/api/v1/query/{engine.database}", query)
    return {row["name"] for row in answer["result"]}


async def _register_at_once(engine: EmbeddedEngine) -> list[str]:
    store = Store.connect(engine.bolt_uri, engine.user, engine.password, engine.database)
    try:
        await apply_constraints(store)
        assert MEMBER_TYPE in _engine_types(engine)
        assert await store.read("MATCH (m:Member) RETURN m.id AS id") == []
        services = Services.build(store)
        outcomes = await asyncio.gather(
            *(services.members.register(COORDINATOR, f"First {i}", None) for i in range(AT_ONCE)),
            return_exceptions=True,
        )
        failed = [repr(o) for o in outcomes if isinstance(o, BaseException)]
        assert not failed, failed
        rows = await store.read("MATCH (m:Member) RETURN m.displayName AS name")
        return sorted(row["name"] for row in rows)
    finally:
        await store.close()


def test_first_members_registered_at_once(tmp_path: Path) -> None:
    # The engine makes the type of a two-label node when the first one is written; without
    # it made at start-up, concurrent first registrations raced to make it (most runs of this
    # test had a failure), and the losers got a 500.
    with EmbeddedEngine(tmp_path) as engine:
        assert MEMBER_TYPE not in _engine_types(engine)
        names = asyncio.run(_register_at_once(engine))
    assert names == sorted(f"First {i}" for i in range(AT_ONCE))
