"""The command line, run as a user runs it: a real process, real signals."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from graph_service.api.schema import schema
from graph_service.auth import Authenticator, Role, issue_token
from tests.conftest import SECRET, serving

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "graph_service"]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"GRAPH_URI", "ENV", "AUTH_SECRET"}}
    env.update(DATA_DIR=str(tmp_path / "data"), **extra)
    return env


def _run(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], env=_env(tmp_path, **extra), capture_output=True, text=True, timeout=120
    )


def test_token_printed_on_last_line_and_valid(tmp_path: Path) -> None:
    member = "TWVtYmVyOm0tMQ=="  # Member:m-1
    done = _run(
        tmp_path,
        "token",
        "--role",
        "member",
        "--member",
        member,
        "--ttl",
        "30m",
        "--force",  # Member:m-1 is not in the (empty) graph of this data folder
        AUTH_SECRET=SECRET,
    )
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip().splitlines()[-1]
    principal = Authenticator(SECRET).verify(token)
    assert (principal.role, principal.member_id) == (Role.MEMBER, "m-1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "member"], "a member token needs a member id"),
        (["--role", "coordinator", "--ttl", "forever"], "is not a lifetime"),
        (["--role", "member", "--member", "42"], "not a valid Member id"),
        (["--role", "admin"], "Invalid value"),
    ],
    ids=["member-without-id", "bad-ttl", "bad-id", "unknown-role"],
)
def test_token_refuses_bad_input(tmp_path: Path, args: list[str], message: str) -> None:
    done = _run(tmp_path, "token", *args, AUTH_SECRET=SECRET)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""


def test_signin_link_printed_on_last_line(tmp_path: Path) -> None:
    done = _run(
        tmp_path,
        "signin-link",
        "--role",
        "coordinator",
        "--subject",
        "coordinator:siobhan",
        PUBLIC_URL="https://recovery.example.org",
    )
    assert done.returncode == 0, done.stderr
    link = done.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"https://recovery\.example\.org/signin/[A-Za-z0-9_-]{43}", link)
    assert "works once, for 15 minutes" in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "coordinator"], "name the coordinator"),
        (["--role", "coordinator", "--subject", "<script>"], "name the coordinator"),
        (["--role", "member", "--member", "TWVtYmVyOm5vYm9keQ=="], "no such member"),
        (["--role", "member", "--member", "42"], "not a valid Member id"),
        (["--role", "college", "--college", "Q29sbGVnZTpub3doZXJl"], "no such college"),
    ],
    ids=["no-subject", "bad-subject", "unknown-member", "bad-id", "unknown-college"],
)
def test_signin_link_refuses_bad_input(tmp_path: Path, args: list[str], message: str) -> None:
    done = _run(tmp_path, "signin-link", *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""


def test_token_in_production_without_secret_is_refused(tmp_path: Path) -> None:
    done = _run(tmp_path, "token", "--role", "coordinator", ENV="production")
    assert done.returncode == 2
    assert "AUTH_SECRET must be set when ENV=production" in done.stderr


def test_committed_schema_matches_code() -> None:
    committed = (ROOT / "schema" / "schema.graphql").read_text(encoding="utf-8")
    assert committed == str(schema) + "\n", "run `make schema` and commit schema/schema.graphql"


def test_export_schema_writes_sdl(tmp_path: Path) -> None:
    target = tmp_path / "out.graphql"
    done = _run(tmp_path, "export-schema", "--path", str(target))
    assert done.returncode == 0, done.stderr
    assert target.read_text(encoding="utf-8") == str(schema) + "\n"


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists() or "Z" in _state(pid):
            return True
        time.sleep(0.1)
    return False


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def _start_service(tmp_path: Path, port: int) -> tuple[subprocess.Popen[str], int]:
    process = serving([], _env(tmp_path), port, stdout=subprocess.PIPE)
    engines = _children(process.pid)
    assert len(engines) == 1, "expected exactly one engine child"
    return process, engines[0]


def _port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_serve_first_start_then_sigterm_leaves_no_engine(tmp_path: Path) -> None:
    port = _port()
    process, engine_pid = _start_service(tmp_path, port)
    try:
        # A second service on the same data folder is refused with a clear message.
        second = _run(tmp_path, "serve", "--port", str(_port()))
        assert second.returncode == 2
        assert "already in use by another graph-service" in second.stderr
        # Tools beside a running service reach its engine instead of starting another.
        status = _run(tmp_path, "db", "status")
        assert status.returncode == 0, status.stderr
        assert "served at bolt://127.0.0.1:" in status.stdout
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    # uvicorn shuts down gracefully, then re-raises the signal it caught.
    assert process.returncode in (0, -signal.SIGTERM)
    assert _wait_gone(engine_pid, 5), "the engine outlived the service"
    # The first start loaded the demo network and printed the GraphiQL address and a
    # coordinator token that works.
    assert "loaded the demo network (350 members" in out
    assert f"http://127.0.0.1:{port}/graphql" in out
    token = re.search(r'"Bearer ([\w.-]+)"', out)
    assert token is not None
    secret = (tmp_path / "data" / "auth-secret").read_text().strip()
    assert Authenticator(secret).verify(token.group(1)).role is Role.COORDINATOR


@pytest.mark.slow
def test_killed_service_takes_engine_down(tmp_path: Path) -> None:
    process, engine_pid = _start_service(tmp_path, _port())
    process.kill()
    process.wait()
    assert _wait_gone(engine_pid, 30), "the engine outlived a killed service"
    # The data folder is free again for the next start.
    again, _engine = _start_service(tmp_path, _port())
    again.send_signal(signal.SIGTERM)
    again.wait(timeout=60)


def test_db_status_reports_embedded_graph(tmp_path: Path) -> None:
    done = _run(tmp_path, "db", "status")
    assert done.returncode == 0, done.stderr
    assert "embedded in" in done.stdout
    assert "person_id" in done.stdout or "constraints: none" in done.stdout


def _nodes(tmp_path: Path) -> int:
    status = _run(tmp_path, "db", "status")
    found = re.search(r"nodes: (\d+)", status.stdout)
    assert found, status.stdout + status.stderr
    return int(found.group(1))


def test_seed_is_idempotent(tmp_path: Path) -> None:
    first = _run(tmp_path, "seed")
    assert first.returncode == 0, first.stderr
    after_first = _nodes(tmp_path)
    second = _run(tmp_path, "seed")
    assert second.returncode == 0, second.stderr
    assert first.stdout == second.stdout
    assert "Sefton Recovery Peer Network" in first.stdout
    assert "Southport College: 5 courses" in first.stdout
    # The network, 3 colleges, their 3 support services, 16 courses, 10 wellness tools and 4
    # kinds of programme session; nothing doubled.
    assert after_first == _nodes(tmp_path) == 1 + 3 + 3 + 16 + 10 + 4


def test_seed_demo_only_into_an_empty_graph(tmp_path: Path) -> None:
    first = _run(tmp_path, "seed", "--demo", "--members", "30", "--seed", "3")
    assert first.returncode == 0, first.stderr
    assert "demo network: 30 members" in first.stdout
    again = _run(tmp_path, "seed", "--demo", "--members", "30")
    assert again.returncode == 1
    assert "already has 30 members" in again.stderr


@pytest.mark.slow
def test_serve_with_two_workers_shares_one_engine(tmp_path: Path) -> None:
    port = _port()
    env = _env(tmp_path, ENV="production", AUTH_SECRET=SECRET)
    process = serving(["--workers", "2"], env, port, seconds=120)
    url = f"http://127.0.0.1:{port}"
    try:
        workers = _children(process.pid)
        engines = [pid for pid in workers if "java" in Path(f"/proc/{pid}/cmdline").read_text()]
        assert len(engines) == 1, "one engine, started by the parent, shared by the workers"
        token = issue_token(SECRET, Role.COORDINATOR)
        answers = {
            httpx.post(
                f"{url}/graphql",
                json={"query": "{ members { totalCount } }"},
                headers={"Authorization": f"Bearer {token}"},
            ).status_code
            for _ in range(8)
        }
        assert answers == {200}
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert all(_wait_gone(pid, 10) for pid in workers), "a worker or the engine outlived serve"
