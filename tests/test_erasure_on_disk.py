"""An erasure leaves the erased names in no file of the embedded engine, running or stopped."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from graph_service.auth import Principal, Role
from graph_service.domain import Relation
from graph_service.engine import EmbeddedEngine
from graph_service.services import Services
from graph_service.store import Store
from graph_service.store.migrations import apply_constraints

pytestmark = pytest.mark.slow

COORDINATOR = Principal(Role.COORDINATOR, subject="coordinator:test")
NAMES = ("Zebulonquixote Farthingale", "Xanthippevalour Moss", "Quillonmarvella Brack")


def _files_naming(root: Path, names: tuple[str, ...]) -> dict[str, list[str]]:
    """Every file under root that holds one of the names (UTF-8, as the engine writes them)."""
    found: dict[str, list[str]] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        content = path.read_bytes()
        hits = [name for name in names if name.encode() in content]
        if hits:
            found[str(path.relative_to(root))] = hits
    return found


async def _register_and_erase(engine: EmbeddedEngine) -> dict[str, list[str]]:
    store = Store.connect(engine.bolt_uri, engine.user, engine.password, engine.database)
    try:
        await apply_constraints(store)
        services = Services.build(store)
        member = (await services.members.register(COORDINATOR, NAMES[0], None)).value
        assert member is not None
        # A renamed member: the old name was written too, and must go as well.
        await services.members.update(COORDINATOR, member.id, NAMES[1])
        await services.circles.add_supporter(
            COORDINATOR, member.id, Relation.FAMILY, person_name=NAMES[2]
        )
        kept = (await services.members.register(COORDINATOR, "Kept Member", None)).value
        assert kept is not None
        assert _files_naming(engine.root, NAMES), "the names were never written to disk"
        erased = await services.privacy.erase(COORDINATOR, member.id)
        assert erased.value == member.id
        found = _files_naming(engine.root, NAMES)
        # The engine still serves this very store after the purge.
        rows = await store.read("MATCH (m:Member) RETURN m.displayName AS name")
        assert rows == [{"name": "Kept Member"}]
        return found
    finally:
        await store.close()


def test_erased_names_are_in_no_engine_file(tmp_path: Path) -> None:
    with EmbeddedEngine(tmp_path) as engine:
        assert asyncio.run(_register_and_erase(engine)) == {}
    assert _files_naming(engine.root, NAMES) == {}


async def _write_while_erasing(engine: EmbeddedEngine) -> list[BaseException]:
    store = Store.connect(engine.bolt_uri, engine.user, engine.password, engine.database)
    try:
        await apply_constraints(store)
        services = Services.build(store)
        doomed = [
            (await services.members.register(COORDINATOR, f"Gone {i}", None)).value
            for i in range(3)
        ]

        async def writer(n: int) -> None:
            for i in range(15):
                made = await services.members.register(COORDINATOR, f"Writer {n}-{i}", None)
                assert made.value is not None, made.errors

        async def eraser() -> None:
            for member in doomed:
                assert member is not None
                assert (await services.privacy.erase(COORDINATOR, member.id)).errors == []

        results = await asyncio.gather(
            *(writer(n) for n in range(6)), eraser(), return_exceptions=True
        )
        return [r for r in results if isinstance(r, BaseException)]
    finally:
        await store.close()


def test_writers_beside_an_erasure_are_not_broken(tmp_path: Path) -> None:
    # The purge closes and reopens the engine's database: this process's transactions wait.
    with EmbeddedEngine(tmp_path) as engine:
        assert asyncio.run(_write_while_erasing(engine)) == []
