"""Fixtures: one real graph engine per session, an empty graph per test, real HTTP servers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from graph_service.app import create_app
from graph_service.auth import Principal, Role, issue_token
from graph_service.engine import EmbeddedEngine
from graph_service.ids import to_global_id
from graph_service.services import Services
from graph_service.settings import Settings, load_settings
from graph_service.store import Store
from graph_service.store.admin import wipe
from graph_service.store.migrations import apply_constraints
from tests.browser import browser, csp, desktop_page, new_page, page  # noqa: F401 (fixtures)

SECRET = "test-secret-" + "x" * 40


@dataclass(frozen=True)
class GraphServer:
    """Where the tests' graph is: the session's embedded engine, or GRAPH_URI's server."""

    uri: str
    user: str
    password: str
    database: str | None


@pytest.fixture(scope="session")
def graph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphServer]:
    """One graph for the whole session (set GRAPH_URI to run the suite against Neo4j)."""
    uri = os.environ.get("GRAPH_URI")
    if uri:
        yield GraphServer(
            uri,
            os.environ.get("GRAPH_USER", "neo4j"),
            os.environ.get("GRAPH_PASSWORD", ""),
            os.environ.get("GRAPH_DATABASE") or None,
        )
        return
    with EmbeddedEngine(tmp_path_factory.mktemp("engine")) as engine:
        yield GraphServer(engine.bolt_uri, engine.user, engine.password, engine.database)


@pytest.fixture
def make_settings(graph_server: GraphServer, tmp_path: Path) -> Callable[..., Settings]:
    """Settings pointing at the session's graph, with overrides."""

    def make(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "graph_uri": graph_server.uri,
            "graph_user": graph_server.user,
            "graph_password": graph_server.password,
            "graph_database": graph_server.database,
            "data_dir": tmp_path / "data",
            "auth_secret": SECRET,
        }
        values.update(overrides)
        return load_settings(**values)

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    """The default test settings (development)."""
    return make_settings()


@pytest.fixture
async def store(graph_server: GraphServer) -> AsyncIterator[Store]:
    """A store on an empty graph with the constraints in place."""
    store = Store.connect(
        graph_server.uri, graph_server.user, graph_server.password, graph_server.database
    )
    await apply_constraints(store)
    await wipe(store)
    try:
        yield store
    finally:
        await store.close()


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``graph-service ARGS`` in a new process from the project's root, with its own data folder
    (so its own embedded engine) and no graph, environment or secret of the caller's."""
    env = {k: v for k, v in os.environ.items() if k not in {"GRAPH_URI", "ENV", "AUTH_SECRET"}}
    env["DATA_DIR"] = str(tmp_path / "data")
    return subprocess.run(
        [sys.executable, "-m", "graph_service", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=Path(__file__).resolve().parents[1],
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningServer:
    """A real uvicorn server on loopback, running the app in a thread."""

    url: str
    app: object


@contextmanager
def running(settings: Settings) -> Iterator[RunningServer]:
    """Serve the app for these settings over real HTTP until the block ends."""
    app = create_app(settings)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield RunningServer(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


async def signin_secret(store: Store, role: Role = Role.COORDINATOR, **target: str) -> str:
    """The secret of a new sign-in link (a coordinator's is for coordinator:test)."""
    subject = {"subject": "coordinator:test"} if role is Role.COORDINATOR else {}
    boss = Principal(Role.COORDINATOR, subject="coordinator:boss")
    outcome = await Services.build(store).signin.create_link(boss, role, **subject, **target)
    assert outcome.value is not None, outcome.errors
    return outcome.value.secret


async def coordinator_link(engine: EmbeddedEngine, subject: str) -> str:
    """A coordinator's sign-in secret, made beside a service that owns this engine."""
    # The service's own driver belongs to its event loop: this one connects by itself.
    store = Store.connect(engine.bolt_uri, engine.user, engine.password, engine.database)
    try:
        outcome = await Services.build(store).signin.create_link(
            Principal(Role.COORDINATOR, subject="cli:" + subject), Role.COORDINATOR, subject=subject
        )
    finally:
        await store.close()
    assert outcome.value is not None, outcome.errors
    return outcome.value.secret


@pytest.fixture
def serve(store: Store) -> Iterator[Callable[[Settings], RunningServer]]:
    """Start servers with given settings (stopped after the test); the graph starts empty."""
    with ExitStack() as stack:
        yield lambda settings: stack.enter_context(running(settings))


@pytest.fixture
def server(serve: Callable[[Settings], RunningServer], settings: Settings) -> RunningServer:
    """The app with default settings, served over real HTTP."""
    return serve(settings)


@pytest.fixture
async def http(server: RunningServer) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the default server."""
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield client


SignIn = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def sign_in(server: RunningServer, store: Store) -> AsyncIterator[SignIn]:
    """A browser-like client signed in through a fresh link (closed after the test)."""
    clients: list[httpx.AsyncClient] = []

    async def make(role: Role = Role.COORDINATOR, **target: str) -> httpx.AsyncClient:
        client = httpx.AsyncClient(base_url=server.url, timeout=30)
        clients.append(client)
        response = await client.get(f"/signin/{await signin_secret(store, role, **target)}")
        assert response.status_code == 303, response.text
        return client

    yield make
    for client in clients:
        await client.aclose()


def token_for(role: Role, *, member_id: str | None = None, college_id: str | None = None) -> str:
    """A valid token signed with the tests' secret."""
    return issue_token(SECRET, role, member_id=member_id, college_id=college_id)


@dataclass
class GraphQLClient:
    """Posts GraphQL operations as one principal."""

    http: httpx.AsyncClient
    token: str | None

    async def post(self, query: str, **variables: object) -> httpx.Response:
        """The raw response to one operation."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )

    async def __call__(self, query: str, **variables: object) -> dict[str, object]:
        """The JSON body of one operation."""
        response = await self.post(query, **variables)
        body: dict[str, object] = response.json()
        return body


@pytest.fixture
def as_coordinator(http: httpx.AsyncClient) -> GraphQLClient:
    """GraphQL as a coordinator."""
    return GraphQLClient(http, token_for(Role.COORDINATOR))


@pytest.fixture
def as_member(http: httpx.AsyncClient) -> Callable[[str], GraphQLClient]:
    """GraphQL as the member with this global id."""
    return lambda member_id: GraphQLClient(http, token_for(Role.MEMBER, member_id=member_id))


@pytest.fixture
def as_college(http: httpx.AsyncClient) -> GraphQLClient:
    """GraphQL as a partner college."""
    return GraphQLClient(http, token_for(Role.COLLEGE, college_id=to_global_id("College", "c1")))


REGISTER = """
mutation($name: String!) {
  registerMember(input: {displayName: $name}) { member { id } userErrors { code } }
}
"""

ADD_SUPPORTER = """
mutation($input: AddSupporterInput!) {
  addSupporter(input: $input) {
    tie { id status relation reciprocal supporter { __typename ... on Member { id } } }
    userErrors { field code message }
  }
}
"""


@pytest.fixture
def register(as_coordinator: GraphQLClient) -> Callable[[str], Awaitable[str]]:
    """Register a member as a coordinator; returns the member's global id."""

    async def make(name: str) -> str:
        body = await as_coordinator(REGISTER, name=name)
        payload = body["data"]["registerMember"]  # type: ignore[index]
        assert payload["userErrors"] == [], payload
        return str(payload["member"]["id"])

    return make


CREATE_CONNECT_CODE = "mutation { createConnectCode { code expiresAt userErrors { code } } }"


@pytest.fixture
def connect_code(as_member: Callable[[str], GraphQLClient]) -> Callable[[str], Awaitable[str]]:
    """Make a connect code as the member with this global id; returns the code as shown."""

    async def make(member_id: str) -> str:
        body = await as_member(member_id)(CREATE_CONNECT_CODE)
        payload = body["data"]["createConnectCode"]  # type: ignore[index]
        assert payload["userErrors"] == [], payload
        return str(payload["code"])

    return make


@pytest.fixture
def add_supporter(as_coordinator: GraphQLClient) -> Callable[..., Awaitable[dict[str, Any]]]:
    """Add a supporter as a coordinator; returns the addSupporter payload."""

    async def add(client: GraphQLClient | None = None, **input: object) -> dict[str, Any]:
        body = await (client or as_coordinator)(ADD_SUPPORTER, input=input)
        assert "errors" not in body, body
        return body["data"]["addSupporter"]  # type: ignore[index, no-any-return]

    return add


def serving(
    args: list[str],
    env: dict[str, str],
    port: int,
    *,
    seconds: float = 90,
    stdout: int | None = None,
) -> subprocess.Popen[str]:
    """Run `graph-service serve --port PORT ARGS` as a process, once its /readyz says 200."""
    # Output goes nowhere unless asked for (subprocess.PIPE): a pipe nobody reads would fill
    # up and stall the service.
    process = subprocess.Popen(
        [sys.executable, "-m", "graph_service", "serve", "--port", str(port), *args],
        env=env,
        stdout=subprocess.DEVNULL if stdout is None else stdout,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the service exited during start-up"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise AssertionError("the service did not become ready")
