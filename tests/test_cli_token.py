"""`graph-service token`: ids checked against the graph, issuer and audience, lifetime."""

from __future__ import annotations

import socket
from pathlib import Path

import jwt
import pytest

from graph_service.auth import Authenticator, Role
from graph_service.ids import to_global_id
from tests.conftest import SECRET
from tests.test_cli import _run

UNKNOWN_MEMBER = to_global_id("Member", "nobody")
UNKNOWN_COLLEGE = to_global_id("College", "nowhere")
SEEDED_COLLEGE = to_global_id("College", "southport-college")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "member", "--member", UNKNOWN_MEMBER], "no such member"),
        (["--role", "college", "--college", UNKNOWN_COLLEGE], "no such college"),
    ],
    ids=["unknown-member", "unknown-college"],
)
def test_token_refuses_ids_missing_from_the_graph(
    tmp_path: Path, args: list[str], message: str
) -> None:
    done = _run(tmp_path, "token", *args, AUTH_SECRET=SECRET)
    assert done.returncode == 2
    assert message in done.stderr and "--force" in done.stderr
    assert done.stdout == ""


def test_token_for_a_college_in_the_graph(tmp_path: Path) -> None:
    seeded = _run(tmp_path, "seed", AUTH_SECRET=SECRET)
    assert seeded.returncode == 0, seeded.stderr
    done = _run(tmp_path, "token", "--role", "college", "--college", SEEDED_COLLEGE)
    assert done.returncode == 0, done.stderr
    secret = (tmp_path / "data" / "auth-secret").read_text().strip()
    principal = Authenticator(secret).verify(done.stdout.strip().splitlines()[-1])
    assert (principal.role, principal.college_id) == (Role.COLLEGE, "southport-college")


def test_token_with_force_for_a_graph_out_of_reach(tmp_path: Path) -> None:
    done = _run(
        tmp_path,
        "token",
        "--role",
        "member",
        "--member",
        UNKNOWN_MEMBER,
        "--force",
        AUTH_SECRET=SECRET,
        GRAPH_URI=f"bolt://127.0.0.1:{_closed_port()}",
    )
    assert done.returncode == 0, done.stderr
    principal = Authenticator(SECRET).verify(done.stdout.strip().splitlines()[-1])
    assert principal.member_id == "nobody"


def test_token_carries_issuer_and_audience_when_set(tmp_path: Path) -> None:
    done = _run(
        tmp_path,
        "token",
        "--role",
        "coordinator",
        AUTH_SECRET=SECRET,
        AUTH_ISSUER="https://id.example.org",
        AUTH_AUDIENCE="graph-service",
    )
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip().splitlines()[-1]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["iss"], claims["aud"]) == ("https://id.example.org", "graph-service")
    strict = Authenticator(SECRET, issuer="https://id.example.org", audience="graph-service")
    assert strict.verify(token).role is Role.COORDINATOR


def test_token_lifetime_limited_by_the_servers_maximum(tmp_path: Path) -> None:
    args = ["token", "--role", "coordinator", "--ttl", "3d"]
    done = _run(tmp_path, *args, AUTH_SECRET=SECRET, AUTH_MAX_TOKEN_HOURS="48")
    assert done.returncode == 2
    assert "AUTH_MAX_TOKEN_HOURS" in done.stderr and done.stdout == ""
    assert _run(tmp_path, *args, AUTH_SECRET=SECRET).returncode == 0
