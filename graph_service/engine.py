"""The embedded Bolt engine: ArcadeDB's server with its Bolt plugin, run as a child process.

Used when no GRAPH_URI is configured, so the service runs on any machine with Python. The
engine listens on loopback only, on free ports, keeps its data under ``DATA_DIR/engine`` and
is guarded by an exclusive lock so that two services never open the same data.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import fcntl
import importlib.util
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from graph_service.errors import EngineLockedError, EngineStartError
from graph_service.settings import EMBEDDED_DATABASE

log = logging.getLogger(__name__)

ROOT_USER = "root"
_PR_SET_PDEATHSIG = 1
_LOG_TAIL_LINES = 20
_OPEN_ATTEMPTS = 5

# Engines this process runs, by Bolt port: how the erasure path finds the engine behind a store.
_RUNNING: dict[int, EmbeddedEngine] = {}


def _package_dir() -> Path:
    # find_spec locates the wheel without importing it (its __init__ loads a JVM bridge).
    spec = importlib.util.find_spec("arcadedb_embedded")
    if spec is None or not spec.submodule_search_locations:
        raise EngineStartError(
            "the embedded engine needs the 'arcadedb-embedded' package: "
            "install the project with `pip install -e '.[embedded]'` (or `make install`), "
            "or set GRAPH_URI to a Neo4j server"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    # If the service is killed outright, the kernel sends the engine SIGTERM.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class EmbeddedEngine:
    """A local ArcadeDB server speaking Bolt, owned by this process."""

    def __init__(
        self, data_dir: Path, *, start_timeout: float = 60.0, stop_grace: float = 15.0
    ) -> None:
        self.root = data_dir.resolve() / "engine"
        self.start_timeout = start_timeout
        self.stop_grace = stop_grace
        self.database = EMBEDDED_DATABASE
        self.user = ROOT_USER
        self.bolt_port = 0
        self.http_port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._lock: IO[str] | None = None
        self._purging = threading.Lock()
        # Held while the process is swapped, so a restart and a stop never interleave.
        self._lifecycle = threading.RLock()
        self.stopping = False

    @property
    def log_path(self) -> Path:
        """Where the engine's output goes."""
        return self.root / "engine.log"

    @property
    def bolt_uri(self) -> str:
        """The Bolt URI of the running engine."""
        return f"bolt://127.0.0.1:{self.bolt_port}"

    def _password_file(self) -> Path:
        # Generated on first start; 0600 from the moment it exists (O_EXCL, explicit mode).
        path = self.root / "root-password"
        if not path.exists():
            if (self.root / "config" / "server-users.jsonl").exists():
                raise EngineStartError(
                    f"{path} is missing but the engine in {self.root} already has users; "
                    "restore the file or move the folder aside to start afresh"
                )
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(32))
        return path

    @property
    def password(self) -> str:
        """The root password, generated on first start and kept with mode 0600."""
        return self._password_file().read_text().strip()

    @property
    def running(self) -> bool:
        """True while the engine process is alive."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the engine and wait until it serves Bolt and has the database."""
        if self.running:
            return
        self.stopping = False
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._lock = self._lock_folder()
        try:
            self._launch()
            self._wait_ready()
            self._ensure_database()
        except BaseException:
            self.stop()
            raise
        self._write_endpoint()
        _RUNNING[self.bolt_port] = self
        log.info("embedded engine ready", extra={"bolt": self.bolt_uri, "data": str(self.root)})

    def wait(self) -> int | None:
        """Block until the engine process exits and return its code (None when none runs)."""
        process = self._process
        return None if process is None else process.wait()

    def restart(self) -> None:
        """Start the engine again after it died: same data, same ports, so clients reconnect."""
        with self._lifecycle:
            if self.stopping or self.running or self._lock is None:
                return
            began = time.monotonic()
            self._launch(keep_ports=True)
            try:
                self._wait_ready()
            except EngineStartError:
                if self._process is not None and self._process.poll() is None:
                    self._process.kill()
                    self._process.wait()
                raise
        took = time.monotonic() - began
        log.warning("embedded engine restarted in %.1f s", took, extra={"bolt": self.bolt_uri})

    def stop(self) -> None:
        """Stop the engine: SIGTERM, then SIGKILL after the grace period."""
        self.stopping = True
        with self._lifecycle:
            process, self._process = self._process, None
        if _RUNNING.get(self.bolt_port) is self:
            del _RUNNING[self.bolt_port]
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=self.stop_grace)
            except subprocess.TimeoutExpired:
                log.warning("embedded engine ignored SIGTERM; killing it")
                process.kill()
                process.wait()
        elif process is not None:
            process.wait()  # reap a process that died on its own
        with contextlib.suppress(FileNotFoundError):
            (self.root / "endpoint.json").unlink()
        if self._lock is not None:
            self._lock.close()  # closing the descriptor releases the flock
            self._lock = None

    def __enter__(self) -> EmbeddedEngine:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def purge_transaction_logs(self) -> None:
        """Close and reopen the database, so the engine deletes its write-ahead log files."""
        # ArcadeDB keeps every committed change (deleted values included) in txlog_*.wal until
        # the file passes 64 MB or the database closes: only a close deletes them. Transactions
        # in flight on other connections during the ~0.1 s this takes fail and are not retried.
        with self._purging:
            self._http("POST", "/api/v1/server", {"command": f"close database {self.database}"})
            for attempt in range(_OPEN_ATTEMPTS):
                try:
                    self._http(
                        "POST", "/api/v1/server", {"command": f"open database {self.database}"}
                    )
                    break
                except urllib.error.HTTPError:
                    # A Bolt client may have reopened it first; then it is open already.
                    if self._database_open():
                        break
                    time.sleep(0.1 * (attempt + 1))
            else:
                raise EngineStartError(f"the engine could not reopen the database {self.database}")
        log.info("engine transaction logs purged", extra={"data": str(self.root)})

    def _database_open(self) -> bool:
        body = {"language": "sql", "command": "select 1 as ok"}
        try:
            self._http("POST", f"/api/v1/query/{self.database}", body)
        except (OSError, urllib.error.URLError):
            return False
        return True

    def check_available(self) -> None:
        """Raise EngineLockedError now if another process holds the data folder."""
        if self._lock is None:
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._lock_folder().close()

    def _lock_folder(self) -> IO[str]:
        lock = (self.root / "lock").open("a+")
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "unknown"
            lock.close()
            raise EngineLockedError(
                f"the data folder {self.root.parent} is already in use by another "
                f"graph-service (pid {holder}); stop it first, or set DATA_DIR to another folder"
            ) from None
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        return lock

    def _command(self) -> list[str]:
        package = _package_dir()
        java = package / "jre" / "bin" / "java"
        if not java.exists():
            raise EngineStartError(f"the embedded engine's Java runtime is missing: {java}")
        props = {
            "arcadedb.server.rootPath": self.root,
            "arcadedb.server.databaseDirectory": self.root / "databases",
            # A path, not the password: the command line is readable by every local user
            # (/proc/<pid>/cmdline); the file is 0600. Read only when the engine creates root.
            "arcadedb.server.rootPasswordPath": self._password_file(),
            "arcadedb.server.plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
            "arcadedb.bolt.port": self.bolt_port,
            "arcadedb.bolt.host": "127.0.0.1",
            "arcadedb.server.httpIncomingPort": self.http_port,
            "arcadedb.server.httpIncomingHost": "127.0.0.1",
        }
        return [
            str(java),
            *(f"-D{key}={value}" for key, value in props.items()),
            "-cp",
            f"{package / 'jars'}/*",
            "com.arcadedb.server.ArcadeDBServer",
        ]

    def _launch(self, *, keep_ports: bool = False) -> None:
        if not keep_ports:
            self.bolt_port, self.http_port = _free_port(), _free_port()
        command = self._command()
        assert self._lock is not None
        with self.log_path.open("ab") as output:
            self._process = subprocess.Popen(
                command,
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                # The engine holds the lock too, so the folder stays locked until it is gone.
                pass_fds=(self._lock.fileno(),),
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )

    def _http(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        credentials = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.http_port}{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Basic {credentials}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            payload = response.read()
        return json.loads(payload) if payload else None

    def _wait_ready(self) -> None:
        # Bolt opens before the HTTP API; the HTTP ready probe answers last.
        deadline = time.monotonic() + self.start_timeout
        assert self._process is not None
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._fail(f"the embedded engine exited with code {self._process.returncode}")
            with contextlib.suppress(OSError, urllib.error.URLError):
                if self._http("GET", "/api/v1/ready") is None:
                    return
            time.sleep(0.1)
        self._fail(f"the embedded engine was not ready within {self.start_timeout:.0f} s")

    def _ensure_database(self) -> None:
        listed = self._http("GET", "/api/v1/databases")
        if self.database not in listed.get("result", []):
            self._http("POST", "/api/v1/server", {"command": f"create database {self.database}"})

    def _write_endpoint(self) -> None:
        endpoint = {"pid": os.getpid(), "bolt_port": self.bolt_port, "http_port": self.http_port}
        (self.root / "endpoint.json").write_text(json.dumps(endpoint))

    def _fail(self, reason: str) -> None:
        tail = ""
        with contextlib.suppress(OSError):
            lines = self.log_path.read_text(errors="replace").splitlines()[-_LOG_TAIL_LINES:]
            tail = "\n".join(lines)
        raise EngineStartError(f"{reason}; see the log {self.log_path}\n{tail}".rstrip())


def purge_transaction_logs(bolt_port: int) -> bool:
    """Purge the write-ahead log of the engine this process runs on that Bolt port, if any."""
    engine = _RUNNING.get(bolt_port)
    if engine is None or not engine.running:
        return False
    engine.purge_transaction_logs()
    return True


def running_endpoint(data_dir: Path) -> dict[str, int] | None:
    """The ports of an engine another process runs on this data folder, if any."""
    path = data_dir.resolve() / "engine" / "endpoint.json"
    try:
        endpoint = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return {key: int(endpoint[key]) for key in ("pid", "bolt_port", "http_port")}
