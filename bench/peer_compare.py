"""Side by side with @neo4j/graphql: the same read, the same engine and graph, the same load tool.

Starts `graph-service serve` (ENV=production, rate limits off) on a fresh temporary DATA_DIR,
which starts the embedded engine; loads the demo network with `graph-service seed --demo`;
picks a member whose circle is exactly five ACTIVE ties (a member, a person and an
organisation among them); starts the peer (bench/peer/server.mjs: @neo4j/graphql on Apollo
Server) twice on the same engine, once without and once with an HS256 JWT check. Both sides
are warmed, then every query runs alternately (peer, ours) with 1 connection and with 16, for
3 rounds, under autocannon (bench/peer/load.mjs). Every response body is compared with a
reference taken before the runs; the references of both sides are checked to hold the same
five ties with names. Prints a markdown table with the date and machine.

    .venv/bin/python bench/peer_compare.py [--duration 10] [--rounds 3] [--workers N] [--quick]

Needs Node 20 and the peer's packages (`npm ci --prefix bench/peer`; `make bench-peer` does
both). With --workers N, a second table: ours with N uvicorn workers against a Node cluster of
N peer workers. Everything started here is stopped on exit, Ctrl-C included.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
import neo4j

from graph_service.auth import Role, issue_token
from graph_service.ids import to_global_id

ROOT = Path(__file__).resolve().parents[1]
PEER_DIR = ROOT / "bench" / "peer"
GRAPH_SERVICE = Path(sys.executable).parent / "graph-service"
SECRET = "peer-bench-" + "s" * 40
DATABASE = "graph"  # the embedded engine's database
CIRCLE = 5
START_TIMEOUT = 180.0
CLOCK_TICK = os.sysconf("SC_CLK_TCK")
TIMES, NONE = "\u00d7", "\u2013"  # as the issue's table writes ratios and empty cells

SUPPORTER = (
    "supporter { __typename ... on Member { displayName } ... on Person { displayName } "
    "... on Organisation { name } }"
)
OURS_OWN_CIRCLE = (
    f"{{ me {{ member {{ displayName circle {{ relation status {SUPPORTER} }} }} }} }}"
)
OURS_MEMBER = (
    "query($id: ID!) "
    f"{{ member(id: $id) {{ displayName circle {{ relation status {SUPPORTER} }} }} }}"
)
# The peer's union matches by label, and every member is also a :Person: its Person branch
# keeps the supporters without a member status (`this.status IS NULL` in the Cypher), as our
# store tells them apart by the Member label.
_OPEN = 'edge: { status: { in: ["INVITED", "ACTIVE"] } }'
PEER_CIRCLE = (
    "query($id: ID!) { members(where: { id: { eq: $id } }) { displayName "
    f"supportersConnection(where: {{ Member: {{ {_OPEN} }}, "
    f"Person: {{ {_OPEN}, node: {{ memberStatus: {{ eq: null }} }} }}, "
    f"Organisation: {{ {_OPEN} }} }}) {{ edges {{ properties {{ relation status }} "
    "node { __typename ... on Member { displayName } ... on Person { displayName } "
    "... on Organisation { name } } } } } }"
)
TYPENAME = "{ __typename }"

PICK_MEMBER = """
MATCH (m:Member {status: 'ACTIVE'})-[t:SUPPORTED_BY]->(s)
WITH m, collect(t.status) AS statuses, collect(labels(s)) AS kinds
WHERE size(statuses) = $size
RETURN m.id AS id, statuses, kinds
ORDER BY m.id
"""

Tie = tuple[str, str, str, str]  # relation, status, supporter type, supporter name


class BenchError(Exception):
    """The benchmark cannot go on (the message says why)."""


@dataclass
class Target:
    """One row of the table: a query sent to one side."""

    key: str
    label: str
    side: str  # "peer" or "ours"
    server: str  # the Children name of the server answering it
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    url: str = ""
    reference: str = ""


@dataclass
class Run:
    """One load run's results, as load.mjs prints them, with the CPU the servers used."""

    result: dict[str, Any]
    server_cpu_s: float
    engine_cpu_s: float


# ---------------------------------------------------------------------------------------------
# Processes


def _proc_stat(pid: int) -> tuple[str, int, float] | None:
    """(command name, session id, CPU seconds) of a process, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    # fields[0] is the 3rd field of stat (state): session is the 6th, utime/stime 14th/15th.
    return name, int(fields[3]), (int(fields[11]) + int(fields[12])) / CLOCK_TICK


def session_members(sid: int) -> dict[int, tuple[str, float]]:
    """Every process of a session: pid -> (command name, CPU seconds)."""
    found: dict[int, tuple[str, float]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _proc_stat(int(entry.name))
            if stat is not None and stat[1] == sid:
                found[int(entry.name)] = (stat[0], stat[2])
    return found


class Children:
    """The processes this script starts, each in its own session; all stopped on exit."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, argv: list[str], env: Mapping[str, str], cwd: Path) -> None:
        """Start a process; its output goes to LOGS/NAME.log."""
        with (self.logs / f"{name}.log").open("ab") as log:
            self.running[name] = subprocess.Popen(
                argv,
                cwd=cwd,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C in the terminal reaches only this script
            )

    def pid(self, name: str) -> int:
        """The pid (and session id) of a started process."""
        return self.running[name].pid

    def alive(self, name: str) -> bool:
        """True while the process has not exited."""
        return self.running[name].poll() is None

    def log_tail(self, name: str, lines: int = 25) -> str:
        """The end of a process's output."""
        path = self.logs / f"{name}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def cpu(self, name: str) -> tuple[float, float]:
        """CPU seconds so far of a process's session: (all but java, java: the engine)."""
        members = session_members(self.pid(name)).values()
        engine = sum(cpu for command, cpu in members if command == "java")
        return sum(cpu for command, cpu in members if command != "java"), engine

    def stop(self, name: str, grace: float = 40.0) -> None:
        """SIGTERM to the process, then SIGKILL to whatever of its session is still there."""
        process = self.running.pop(name, None)
        if process is None:
            return
        sid = process.pid
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                print(f"warning: {name} ignored SIGTERM for {grace:.0f} s: killing it", flush=True)
                process.kill()
                process.wait()
        # Workers or an engine left behind (say, after a SIGKILL): by pid, only this session's.
        for _ in range(50):
            left = session_members(sid)
            if not left:
                return
            time.sleep(0.1)
        for pid, (command, _) in session_members(sid).items():
            print(f"warning: {name} left {command} (pid {pid}) running: killing it", flush=True)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def stop_all(self) -> None:
        """Stop everything still running, last started first."""
        for name in reversed(list(self.running)):
            self.stop(name)


_TAKEN: set[int] = set()


def free_port() -> int:
    """A free loopback port below the ephemeral range, not handed out before in this run.

    Ports from bind(0) come from the ephemeral range, where the engine (and anything else that
    starts meanwhile) picks its own: one chosen there could be taken before our server binds.
    """
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    for _ in range(1000):
        port = random.randrange(10_000, max(low, 10_001))
        if port in _TAKEN:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _TAKEN.add(port)
        return port
    raise BenchError("no free port below the ephemeral range")


def wait_until(check: Any, children: Children, name: str, what: str) -> None:
    """Poll check() until it is true; fail when the process dies or START_TIMEOUT passes."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if not children.alive(name):
            raise BenchError(f"{name} exited while {what}:\n{children.log_tail(name)}")
        with contextlib.suppress(httpx.HTTPError, OSError, ValueError):
            if check():
                return
        time.sleep(0.2)
    raise BenchError(
        f"{name} was not {what} within {START_TIMEOUT:.0f} s:\n{children.log_tail(name)}"
    )


# ---------------------------------------------------------------------------------------------
# The two sides


def ours_env(data_dir: Path) -> dict[str, str]:
    """The service's environment: production, our secret, the embedded engine, no limits."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"GRAPH_URI", "GRAPH_USER", "GRAPH_PASSWORD", "GRAPH_DATABASE", "WORKERS"}
        and k not in {"HOST", "PORT", "AUTH_PUBLIC_KEY", "AUTH_ISSUER", "AUTH_AUDIENCE"}
    }
    env.update(
        DATA_DIR=str(data_dir),
        ENV="production",
        AUTH_SECRET=SECRET,
        # One load tool sends thousands of requests a minute: measure, do not throttle.
        RATE_LIMIT_PER_MINUTE="0",
        IP_RATE_LIMIT_PER_MINUTE="0",
        NO_COLOR="1",
    )
    return env


def serve_has_workers() -> bool:
    """Whether `graph-service serve` takes --workers."""
    shown = subprocess.run(
        [str(GRAPH_SERVICE), "serve", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
        check=False,
    )
    return "--workers" in shown.stdout


def start_ours(
    children: Children, name: str, data_dir: Path, port: int, workers: int | None
) -> str:
    """Start our service; its GraphQL URL once /readyz answers 200."""
    argv = [str(GRAPH_SERVICE), "serve", "--port", str(port)]
    if workers is not None:
        argv += ["--workers", str(workers)]
    children.start(name, argv, ours_env(data_dir), ROOT)
    base = f"http://127.0.0.1:{port}"
    wait_until(
        lambda: httpx.get(f"{base}/readyz", timeout=5).status_code == 200,
        children,
        name,
        "ready",
    )
    return f"{base}/graphql"


def seed_demo(data_dir: Path) -> str:
    """Load the demo network through the running service's engine; the summary line."""
    done = subprocess.run(
        [str(GRAPH_SERVICE), "seed", "--demo"],
        cwd=ROOT,
        env=ours_env(data_dir),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"graph-service seed --demo failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip().splitlines()[-1]


def engine_endpoint(data_dir: Path) -> tuple[str, str]:
    """The running engine's Bolt URI and root password."""
    engine = data_dir / "engine"
    endpoint = json.loads((engine / "endpoint.json").read_text())
    password = (engine / "root-password").read_text().strip()
    return f"bolt://127.0.0.1:{endpoint['bolt_port']}", password


def pick_member(bolt_uri: str, password: str) -> tuple[str, str]:
    """A member with exactly five ties, all ACTIVE, to a member, a person and an organisation.

    Returns (member id, the engine's agent string).
    """
    with neo4j.GraphDatabase.driver(bolt_uri, auth=("root", password)) as driver:
        agent = str(driver.get_server_info().agent)
        rows = driver.execute_query(PICK_MEMBER, size=CIRCLE, database_=DATABASE).records
    fallback = None
    for row in rows:
        if any(status != "ACTIVE" for status in row["statuses"]):
            continue
        kinds = {"Member" if "Member" in ls else ls[0] for ls in row["kinds"]}
        if kinds >= {"Member", "Person", "Organisation"}:
            return str(row["id"]), agent
        fallback = fallback or str(row["id"])
    if fallback is None:
        raise BenchError("no member of the demo network has exactly five ACTIVE ties")
    return fallback, agent


def start_peer(
    children: Children, name: str, port: int, bolt: tuple[str, str], workers: int, jwt: bool
) -> str:
    """Start bench/peer/server.mjs; its URL once it answers `{ __typename }`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEER_")}
    env.update(
        PEER_PORT=str(port),
        PEER_BOLT_URI=bolt[0],
        PEER_BOLT_USER="root",
        PEER_BOLT_PASSWORD=bolt[1],
        PEER_DATABASE=DATABASE,
        PEER_WORKERS=str(workers),
        NODE_ENV="production",
    )
    if jwt:
        env["PEER_JWT_SECRET"] = SECRET
    children.start(name, ["node", "server.mjs"], env, PEER_DIR)
    url = f"http://127.0.0.1:{port}/graphql"
    # Without the JWT check the probe must succeed; with it, a refusal (401) says it is up.
    wait_until(
        lambda: (
            httpx.post(url, json={"query": TYPENAME}, timeout=5).status_code
            == (401 if jwt else 200)
        ),
        children,
        name,
        "answering",
    )
    return url


# ---------------------------------------------------------------------------------------------
# Queries, references and load


def targets_for(member_id: str) -> list[Target]:
    """The six rows, in the order they run: peer and ours alternate."""
    member_token = issue_token(SECRET, Role.MEMBER, member_id=to_global_id("Member", member_id))
    coordinator_token = issue_token(SECRET, Role.COORDINATOR, subject="coordinator:peer-bench")
    as_member = {"Authorization": f"Bearer {member_token}"}
    as_coordinator = {"Authorization": f"Bearer {coordinator_token}"}
    peer_body = json.dumps({"query": PEER_CIRCLE, "variables": {"id": member_id}})
    ours_body = json.dumps(
        {"query": OURS_MEMBER, "variables": {"id": to_global_id("Member", member_id)}}
    )
    return [
        Target("peer", "@neo4j/graphql, circle", "peer", "peer", peer_body),
        Target(
            "ours-member",
            "ours, member token, own circle",
            "ours",
            "ours",
            json.dumps({"query": OURS_OWN_CIRCLE}),
            as_member,
        ),
        Target(
            "peer-jwt",
            "@neo4j/graphql + JWT check, circle",
            "peer",
            "peer-jwt",
            peer_body,
            as_member,
        ),
        Target(
            "ours-coordinator",
            "ours, coordinator token (audited)",
            "ours",
            "ours",
            ours_body,
            as_coordinator,
        ),
        Target(
            "peer-typename",
            "@neo4j/graphql, `{ __typename }`",
            "peer",
            "peer",
            json.dumps({"query": TYPENAME}),
        ),
        Target(
            "ours-typename",
            "ours, `{ __typename }`",
            "ours",
            "ours",
            json.dumps({"query": TYPENAME}),
            as_member,
        ),
    ]


TABLE_ORDER = [
    "peer",
    "peer-jwt",
    "ours-member",
    "ours-coordinator",
    "peer-typename",
    "ours-typename",
]
BASELINE = {"ours-member": "peer", "ours-coordinator": "peer", "ours-typename": "peer-typename"}
JWT_BASELINE = {"ours-member": "peer-jwt", "ours-coordinator": "peer-jwt"}


def ties_of(target: Target, data: dict[str, Any]) -> tuple[str, list[Tie]]:
    """The member's name and sorted ties from either side's answer."""
    if target.side == "ours":
        member = data["me"]["member"] if "me" in data else data["member"]
        ties = [
            (
                t["relation"],
                t["status"],
                t["supporter"]["__typename"],
                t["supporter"].get("displayName") or t["supporter"].get("name") or "",
            )
            for t in member["circle"]
        ]
    else:
        (member,) = data["members"]
        ties = [
            (
                e["properties"]["relation"],
                e["properties"]["status"],
                e["node"]["__typename"],
                e["node"].get("displayName") or e["node"].get("name") or "",
            )
            for e in member["supportersConnection"]["edges"]
        ]
    return member["displayName"], sorted(ties)


def take_references(targets: list[Target]) -> list[Tie]:
    """Fetch each query's reference body; check both sides give the same five named ties."""
    expected: tuple[str, list[Tie]] | None = None
    for target in targets:
        response = httpx.post(
            target.url,
            content=target.body,
            headers={"Content-Type": "application/json", **target.headers},
            timeout=30,
        )
        if response.status_code != 200:
            raise BenchError(f"{target.label}: HTTP {response.status_code}: {response.text}")
        answer = response.json()
        if answer.get("errors") or not answer.get("data"):
            raise BenchError(f"{target.label}: {response.text}")
        if target.reference and target.reference != response.text:
            raise BenchError(f"{target.label}: the answer changed:\n{response.text}")
        target.reference = response.text
        if answer["data"] == {"__typename": "Query"}:
            continue
        found = ties_of(target, answer["data"])
        if len(found[1]) != CIRCLE or not all(tie[3] for tie in found[1]):
            raise BenchError(f"{target.label}: expected {CIRCLE} named ties: {found}")
        if expected is None:
            expected = found
        elif found != expected:
            raise BenchError(f"{target.label} differs from the others: {found} != {expected}")
    assert expected is not None
    return expected[1]


def load(
    children: Children, target: Target, connections: int, duration: float, scratch: Path
) -> Run:
    """One load.mjs run against a target, with the CPU both servers' sessions used meanwhile."""
    body, reference = scratch / f"{target.key}.body", scratch / f"{target.key}.expected"
    body.write_text(target.body)
    reference.write_text(target.reference)
    argv = ["node", str(PEER_DIR / "load.mjs"), "--url", target.url, "--body-file", str(body)]
    argv += ["--connections", str(connections), "--duration", f"{duration:g}"]
    argv += ["--expect-file", str(reference), "--label", target.key]
    for name, value in target.headers.items():
        argv += ["--header", f"{name}: {value}"]
    # The engine (java) runs under our service: its CPU is counted for whichever side is loaded.
    server_before, engine_before = children.cpu(target.server)[0], children.cpu("ours")[1]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = process.communicate(timeout=duration + 120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    server_after, engine_after = children.cpu(target.server)[0], children.cpu("ours")[1]
    if process.returncode != 0:
        raise BenchError(f"load.mjs failed on {target.label}:\n{err}")
    result = json.loads(out.strip().splitlines()[-1])
    return Run(result, server_after - server_before, engine_after - engine_before)


# ---------------------------------------------------------------------------------------------
# Report


def machine() -> str:
    """CPU model, cores, memory, Node and Python versions."""
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), "")
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal:"))
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
    return (
        f"{model or platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{mem_kb / 2**20:.1f} GiB RAM; Node {node.stdout.strip()}, "
        f"Python {platform.python_version()}"
    )


def peer_versions() -> str:
    """The pinned versions of the peer's main packages."""
    deps = json.loads((PEER_DIR / "package.json").read_text())["dependencies"]
    names = ["@neo4j/graphql", "@apollo/server", "neo4j-driver", "autocannon"]
    return ", ".join(f"{name} {deps[name]}" for name in names if name in deps)


def _ms(value: float | None) -> str:
    if value is None:
        return NONE
    return (
        f"{value:.2f} ms" if value < 1 else f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
    )


def _rate(value: float) -> str:
    return f"{value:,.0f}"


def table(runs: dict[tuple[str, int], list[Run]], targets: list[Target], conc: int) -> list[str]:
    """The markdown table: medians over the rounds."""
    by_key = {t.key: t for t in targets}

    def median(key: str, connections: int, metric: str) -> float:
        values = [
            r.result[metric] for r in runs[(key, connections)] if r.result[metric] is not None
        ]
        return statistics.median(values) if values else float("nan")

    def cpu_ms(key: str) -> str:
        rs = runs[(key, conc)]
        total = sum(r.result["total"] for r in rs)
        if not total:
            return NONE
        server = sum(r.server_cpu_s for r in rs) * 1e3 / total
        engine = sum(r.engine_cpu_s for r in rs) * 1e3 / total
        return f"{server:.2f} + {engine:.2f}"

    lines = [
        f"| query | seq p50 | {conc} conns req/s | {conc} conns p99 | ratio vs peer "
        "| vs peer + JWT | CPU ms/req (server + engine) |",
        "|---|---|---|---|---|---|---|",
    ]
    for key in TABLE_ORDER:
        rate = median(key, conc, "rps")
        ratio = f"{TIMES}{rate / median(BASELINE[key], conc, 'rps'):.2f}" if key in BASELINE else ""
        jwt = (
            f"{TIMES}{rate / median(JWT_BASELINE[key], conc, 'rps'):.2f}"
            if key in JWT_BASELINE
            else ""
        )
        lines.append(
            f"| {by_key[key].label} | {_ms(median(key, 1, 'p50_ms'))} | {_rate(rate)} "
            f"| {_ms(median(key, conc, 'p99_ms'))} | {ratio} | {jwt} | {cpu_ms(key)} |"
        )
    return lines


def rounds_detail(runs: dict[tuple[str, int], list[Run]], conc: int) -> list[str]:
    """Each round's figures, to see the noise."""
    lines = [f"rounds ({conc} conns req/s; seq p50 ms):"]
    for key in TABLE_ORDER:
        rates = " ".join(f"{r.result['rps']:>8,.0f}" for r in runs[(key, conc)])
        p50s = " ".join(f"{r.result['p50_ms'] or 0:>7.2f}" for r in runs[(key, 1)])
        lines.append(f"  {key:18} {rates}   | {p50s}")
    return lines


# ---------------------------------------------------------------------------------------------
# Main


@dataclass
class Options:
    """The command line, checked."""

    duration: float
    rounds: int
    warmup: float
    connections: int
    workers: int | None
    json_path: Path | None


def run_phase(
    children: Children,
    options: Options,
    data_dir: Path,
    scratch: Path,
    workers: int,
    pass_workers: bool,
    state: dict[str, Any],
) -> dict[str, Any]:
    """Start both sides with this many workers, check the references, warm, run the rounds."""
    ours_port, peer_port, jwt_port = free_port(), free_port(), free_port()
    print(f"\n## {workers} worker(s) each: starting graph-service and the engine…", flush=True)
    ours_url = start_ours(children, "ours", data_dir, ours_port, workers if pass_workers else None)
    if "member" not in state:
        print(f"loading the demo network: {seed_demo(data_dir)}", flush=True)
    bolt = engine_endpoint(data_dir)
    if "member" not in state:
        state["member"], state["agent"] = pick_member(*bolt)
        state["targets"] = targets_for(state["member"])
    print(f"engine at {bolt[0]}; starting the peer ({workers} worker(s)), plain and with JWT…")
    peer_url = start_peer(children, "peer", peer_port, bolt, workers, jwt=False)
    jwt_url = start_peer(children, "peer-jwt", jwt_port, bolt, workers, jwt=True)
    targets: list[Target] = state["targets"]
    urls = {"ours": ours_url, "peer": peer_url, "peer-jwt": jwt_url}
    for target in targets:
        target.url = urls[target.server]
    ties = take_references(targets)
    print(f"member {state['member']}: {len(ties)} ties, the same on both sides:")
    for relation, status, kind, name in ties:
        print(f"  {relation:13} {status:8} {kind:13} {name}")

    checked = {"responses": 0, "mismatches": 0, "errors": 0, "non2xx": 0}

    def tally(run: Run) -> Run:
        result = run.result
        checked["responses"] += result["total"]
        for key in ("mismatches", "errors", "non2xx"):
            checked[key] += result[key]
        if result["mismatches"] or result["errors"] or result["non2xx"]:
            print(f"  !! {result['label']}: {json.dumps(result)}", flush=True)
        return run

    print(f"warming up ({options.warmup:g} s each, {options.connections} conns)…", flush=True)
    for target in targets:
        tally(load(children, target, options.connections, options.warmup, scratch))
    runs: dict[tuple[str, int], list[Run]] = {}
    for number in range(1, options.rounds + 1):
        for connections in (1, options.connections):
            for target in targets:
                run = tally(load(children, target, connections, options.duration, scratch))
                runs.setdefault((target.key, connections), []).append(run)
                r = run.result
                print(
                    f"  round {number}  {target.key:17} c={connections:<3} {r['rps']:>9,.1f} req/s"
                    f"  p50 {r['p50_ms']:>8.2f} ms  p99 {r['p99_ms']:>8.2f} ms",
                    flush=True,
                )
    children.stop("peer-jwt")
    children.stop("peer")
    children.stop("ours")
    return {"workers": workers, "runs": runs, "checked": checked}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per run (10)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (3)")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds of warm-up per query")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (16)")
    parser.add_argument(
        "--workers", type=int, default=None, help="also compare N workers each (ours, Node cluster)"
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2 s runs, 1 round")
    parser.add_argument("--json", type=Path, default=None, help="also write raw results here")
    args = parser.parse_args()
    if args.quick:
        args.duration, args.rounds, args.warmup = 2.0, 1, 1.0
    if args.duration <= 0 or args.rounds < 1 or args.connections < 2 or args.warmup < 0:
        parser.error("need --duration > 0, --rounds >= 1, --connections >= 2, --warmup >= 0")
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be at least 1")
    options = Options(
        args.duration, args.rounds, args.warmup, args.connections, args.workers, args.json
    )

    if shutil.which("node") is None:
        print("bench/peer_compare.py needs Node 20 (node on PATH)", file=sys.stderr)
        return 2
    if not (PEER_DIR / "node_modules" / "@neo4j" / "graphql").is_dir():
        print("the peer's packages are missing: run `npm ci --prefix bench/peer`", file=sys.stderr)
        return 2
    pass_workers = serve_has_workers()
    if options.workers is not None and not pass_workers:
        print(
            "graph-service serve has no --workers option yet: run without --workers",
            file=sys.stderr,
        )
        return 2

    def terminated(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt  # the finally clauses below stop everything

    signal.signal(signal.SIGTERM, terminated)
    # Also when started in the background by a shell, which leaves SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    started = dt.datetime.now(dt.UTC)
    phases: list[dict[str, Any]] = []
    state: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="graph-peer-bench-") as tmp:
        data_dir, scratch = Path(tmp) / "data", Path(tmp) / "scratch"
        scratch.mkdir()
        children = Children(Path(tmp))
        try:
            counts = [1] + ([options.workers] if options.workers and options.workers > 1 else [])
            # One process each by default: pass --workers 1 where serve has the option, since
            # production otherwise starts one worker per core.
            for workers in counts:
                phases.append(
                    run_phase(children, options, data_dir, scratch, workers, pass_workers, state)
                )
        except BenchError as exc:
            print(f"bench/peer_compare.py failed: {exc}", file=sys.stderr)
            for name in children.running:
                print(
                    f"\n--- the end of {name}'s output:\n{children.log_tail(name)}", file=sys.stderr
                )
            return 1
        except KeyboardInterrupt:
            print("interrupted: stopping everything", file=sys.stderr)
            return 130
        finally:
            children.stop_all()
    report(options, started, state, phases)
    return (
        0
        if all(not any(p["checked"][k] for k in ("mismatches", "errors", "non2xx")) for p in phases)
        else 1
    )


def report(
    options: Options, started: dt.datetime, state: dict[str, Any], phases: list[dict[str, Any]]
) -> None:
    """Print the tables (and write the raw results when asked)."""
    conc = options.connections
    print(f"\n# bench/peer_compare.py, {started:%Y-%m-%d %H:%M} UTC")
    print(f"\nmachine: {machine()}")
    print(f"engine: {state['agent']} (embedded), demo network of 350 members (seed 2026)")
    print(f"peer: {peer_versions()}")
    print(
        f"runs: {options.duration:g} s each, {options.rounds} round(s) alternating peer / ours, "
        f"1 and {conc} connections, after {options.warmup:g} s of warm-up per query; "
        "figures are the median round"
    )
    for phase in phases:
        checked = phase["checked"]
        print(f"\n### {phase['workers']} worker(s) each\n")
        print("\n".join(table(phase["runs"], state["targets"], conc)))
        print(
            f"\n{checked['responses']:,} responses checked against the references: "
            f"{checked['mismatches']} mismatched, {checked['errors']} errors, "
            f"{checked['non2xx']} non-2xx"
        )
        print("\n".join(rounds_detail(phase["runs"], conc)))
    print(
        "\nratio: our req/s over the peer's for the same kind of read (`{ __typename }` against "
        "its own); CPU: the server's processes (uvicorn workers or node) and the engine (java), "
        f"per request at {conc} connections."
    )
    if options.json_path is not None:
        raw = {
            "date": f"{started:%Y-%m-%dT%H:%M:%SZ}",
            "machine": machine(),
            "member": state.get("member"),
            "phases": [
                {
                    "workers": p["workers"],
                    "checked": p["checked"],
                    "runs": [
                        {
                            "key": k,
                            "connections": c,
                            **r.result,
                            "server_cpu_s": r.server_cpu_s,
                            "engine_cpu_s": r.engine_cpu_s,
                        }
                        for (k, c), rs in p["runs"].items()
                        for r in rs
                    ],
                }
                for p in phases
            ],
        }
        options.json_path.write_text(json.dumps(raw, indent=2) + "\n")
        print(f"raw results: {options.json_path}")


if __name__ == "__main__":
    sys.exit(main())
