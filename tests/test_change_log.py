"""The change log: recorded with the write or not at all, read by other replicas through a
re-read window (commit order is not time order), purged when old, and `report --reload`."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graph_service.auth import Principal, Role
from graph_service.events import Change, ChangeKind, change
from graph_service.services import Services
from graph_service.services.change_log import ChangeLog
from graph_service.store import Store, changes
from tests.conftest import SECRET, GraphServer

BOSS = Principal(Role.COORDINATOR, subject="coordinator:log")


def _heard(store: Store) -> list[Change]:
    heard: list[Change] = []
    store.changes.listen(heard.append)
    return heard


def _elsewhere(kind: ChangeKind, *members: str, seconds_ago: float = 0) -> Change:
    """A change as another replica would record it (its own origin, maybe an earlier time)."""
    at = (datetime.now(UTC) - timedelta(seconds=seconds_ago)).isoformat(timespec="milliseconds")
    return replace(change(kind, *members), at=at)


async def _record_as_other(store: Store, other: Store, made: Change) -> None:
    # Written through another store: another process's origin, as a replica's write is.
    await changes.record(other, made)


async def test_a_write_and_its_change_commit_together_or_not_at_all(store: Store) -> None:
    heard = _heard(store)
    services = Services.build(store)

    async def register_then_fail() -> None:
        await services.members.register(BOSS, "Aoife", None)
        raise RuntimeError("the request failed after the write")

    with pytest.raises(RuntimeError):
        await services.atomically(register_then_fail)
    assert heard == [] and await changes.since(store, "2000") == []
    outcome = await services.atomically(lambda: services.members.register(BOSS, "Aoife", None))
    assert outcome.value is not None
    assert [(c.kind, c.members) for c in heard] == [
        (ChangeKind.MEMBER_REGISTERED, (outcome.value.id,))
    ]
    logged = await changes.since(store, "2000")
    assert [(c.id, c.origin) for c in logged] == [(heard[0].id, store.changes.origin)]


async def test_every_change_read_is_published_once(store: Store, graph_server: GraphServer) -> None:
    other = Store.connect(
        graph_server.uri, graph_server.user, graph_server.password, graph_server.database
    )
    try:
        log = ChangeLog(store, window=30)
        heard = _heard(store)
        await changes.record(store, change(ChangeKind.MEMBER_STATUS, "mine"))
        await _record_as_other(store, other, _elsewhere(ChangeKind.TIE_ADDED, "a", "b"))
        heard.clear()  # what this store published itself when it committed
        assert await log.poll() == 1
        assert [(c.kind, c.members) for c in heard] == [(ChangeKind.TIE_ADDED, ("a", "b"))]
        assert await log.poll() == 0, "read again inside the window, published once"
        # Committed late: its time is older than the newest seen, but inside the window.
        await _record_as_other(store, other, _elsewhere(ChangeKind.TIE_ENDED, "c", seconds_ago=10))
        assert await log.poll() == 1
        assert heard[-1].kind is ChangeKind.TIE_ENDED
        assert store.changes.confirmed_at is not None
    finally:
        await other.close()


async def test_old_changes_are_purged(store: Store) -> None:
    await changes.record(store, _elsewhere(ChangeKind.TOOLS_SET, "m", seconds_ago=3 * 3600))
    await changes.record(store, change(ChangeKind.TOOLS_SET, "n"))
    assert await ChangeLog(store, keep_hours=1).purge() == 1
    assert [c.members for c in await changes.since(store, "2000")] == [("n",)]


async def test_report_reload_has_every_replica_load_afresh(
    store: Store, graph_server: GraphServer, tmp_path: Path
) -> None:
    services = Services.build(store)
    await services.analyses.projection()
    loads = services.analyses.loads
    env = {
        "GRAPH_URI": graph_server.uri,
        "GRAPH_USER": graph_server.user,
        "GRAPH_PASSWORD": graph_server.password,
        "GRAPH_DATABASE": graph_server.database or "",
        "AUTH_SECRET": SECRET,
        "DATA_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "graph_service", "report", "--reload"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "reload" in done.stderr
    assert await ChangeLog(store).poll() == 1  # the command's change, from another process
    await services.analyses.projection()
    assert services.analyses.loads == loads + 1
