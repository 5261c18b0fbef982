"""The embedded engine: start, stop, restart, the data-folder lock, failures that explain."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import pytest

from graph_service.engine import EmbeddedEngine, running_endpoint
from graph_service.errors import EngineLockedError, EngineStartError
from graph_service.store import Store

pytestmark = pytest.mark.slow


def _listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as in /proc/net/tcp) listening on a port."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


async def _query(engine: EmbeddedEngine, query: str) -> list[dict[str, object]]:
    store = Store.connect(engine.bolt_uri, engine.user, engine.password, engine.database)
    try:
        return await store.write(query)  # type: ignore[arg-type]
    finally:
        await store.close()


def test_restart_keeps_data(tmp_path: Path) -> None:
    engine = EmbeddedEngine(tmp_path)
    with engine:
        asyncio.run(_query(engine, "CREATE (:Person {id: 'kept'})"))
        assert engine.root.joinpath("lock").read_text() != ""
        assert running_endpoint(tmp_path) is not None
    assert not engine.running and running_endpoint(tmp_path) is None
    with engine:
        rows = asyncio.run(_query(engine, "MATCH (p:Person) RETURN p.id AS id"))
    assert rows == [{"id": "kept"}]


def test_second_engine_on_same_folder_refused(tmp_path: Path) -> None:
    with EmbeddedEngine(tmp_path) as first:
        second = EmbeddedEngine(tmp_path)
        with pytest.raises(EngineLockedError, match="already in use by another graph-service"):
            second.start()
        assert not second.running
        assert first.running
        asyncio.run(_query(first, "RETURN 1 AS ok"))
    # Once the first has stopped, the folder is free again.
    with EmbeddedEngine(tmp_path) as third:
        assert third.running


def test_listens_on_loopback_only_and_keeps_password_private(tmp_path: Path) -> None:
    with EmbeddedEngine(tmp_path) as engine:
        loopback = {
            "0100007F",
            "0000000000000000FFFF00000100007F",
            "00000000000000000000000001000000",
        }
        for port in (engine.bolt_port, engine.http_port):
            addresses = _listening_addresses(port)
            assert addresses and addresses <= loopback, (port, addresses)
        mode = stat.S_IMODE((engine.root / "root-password").stat().st_mode)
        assert mode == 0o600


def test_start_timeout_names_the_log_file(tmp_path: Path) -> None:
    engine = EmbeddedEngine(tmp_path, start_timeout=0.05)
    with pytest.raises(EngineStartError, match=r"not ready within .*engine\.log"):
        engine.start()
    assert not engine.running
    # The failed start released the folder.
    with EmbeddedEngine(tmp_path) as again:
        assert again.running


def test_root_password_is_not_on_the_command_line(tmp_path: Path) -> None:
    with EmbeddedEngine(tmp_path) as engine:
        assert engine._process is not None
        # /proc/<pid>/cmdline is readable by every local user; the password must not be there.
        cmdline = Path(f"/proc/{engine._process.pid}/cmdline").read_bytes()
        assert b"java" in cmdline
        assert engine.password.encode() not in cmdline
        assert b"rootPassword=" not in cmdline
        assert asyncio.run(_query(engine, "RETURN 1 AS ok")) == [{"ok": 1}]
