"""Server time of every web page on the 350-member demo network (target: under 200 ms each).

Starts an embedded engine in a temporary folder, serves the real app on loopback with the demo
network loaded (as `make run` does), signs a coordinator in with a one-time link, then times
each page over HTTP: warm (the analysis projection cached) and, for the pages that draw on
the analyses, cold (the first view after a write, which reloads the projection and lays the
network out again). Every response is checked for its status and its heading.

    .venv/bin/python bench/pages.py [--requests N]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import platform
import re
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from graph_service.auth import Principal, Role
from graph_service.domain import MemberStatus
from graph_service.services import Services
from graph_service.settings import load_settings
from graph_service.store import Store
from tests.conftest import coordinator_link, running, signin_secret

TARGET_MS = 200.0
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SERVER_TIMING = re.compile(r"page;dur=([0-9.]+)")


async def _sign_in(client: httpx.AsyncClient, app: object) -> str:
    secret = await coordinator_link(app.state.engine, "coordinator:bench")  # type: ignore[attr-defined]
    response = await client.get(f"/signin/{secret}")
    assert response.status_code == 303, response.text
    match = CSRF.search((await client.get("/")).text)
    assert match
    return match.group(1)


Timing = tuple[float, float]  # the server's own time (Server-Timing), the round trip; ms


async def _time(client: httpx.AsyncClient, path: str, expect: str) -> Timing:
    started = time.perf_counter()
    response = await client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200 or expect not in response.text:
        raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
    server = SERVER_TIMING.search(response.headers.get("server-timing", ""))
    return (float(server.group(1)) if server else elapsed), elapsed


async def _post(client: httpx.AsyncClient, path: str, csrf: str, **form: str) -> None:
    response = await client.post(path, data={"csrf_token": csrf, **form})
    if response.status_code != 303:
        raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")


def _row(name: str, timings: list[Timing]) -> str:
    times = sorted(server for server, _ in timings)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    verdict = "ok" if p95 < TARGET_MS else "OVER"
    trip = statistics.median(total for _, total in timings)
    return (
        f"{name:<34} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:8.1f} {trip:8.1f}"
        f"   {verdict}"
    )


async def bench(base: str, app: object, requests: int) -> None:
    """Time every page; print one line each."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        csrf = await _sign_in(client, app)
        home = (await client.get("/?sort=supporters&reason=BELOW_THRESHOLD")).text
        member = re.search(r'href="(/members/\w+)"', home.split("<tbody", 1)[1])
        assert member, "no flagged member to open"
        pages = [
            ("/ (dashboard)", "/", "Isolation worklist"),
            (
                "/?reason=…&sort=activity&page=2",
                "/?reason=NO_RECENT_ACTIVITY&sort=activity&page=2",
                "Isolation worklist",
            ),
            ("/members/{id}", member.group(1), "Circle of support"),
            ("/members?q=a", "/members?q=a", "Find a member"),
            ("/load", "/load?at_least=2", "Supporter load"),
            ("/fragile", "/fragile", "Fragile circles"),
            ("/links", "/links", "Sign-in links"),
            ("/worklist.csv", "/worklist.csv", "member_id"),
        ]
        print(f"server time in ms ({requests} views each; the round trip adds HTTP and the client)")
        print(f"{'page (warm)':<34} {'median':>8} {'p95':>8} {'max':>8} {'trip':>8}")
        for name, path, expect in pages:
            for _ in range(3):
                await _time(client, path, expect)
            times = [await _time(client, path, expect) for _ in range(requests)]
            print(_row(name, times))
        # Cold: each view follows a write, which throws the projection away. A status change
        # leaves the map's drawing as it was; a new or ended tie makes it lay the map out again.
        page = member.group(1)
        cold: dict[str, list[Timing]] = {
            "/ after a status change": [],
            "/ after a tie is added or ended": [],
            "/members/{id} after a write": [],
        }
        for i in range(requests):
            await _post(client, page + "/status", csrf, status="PAUSED")
            cold["/ after a status change"].append(await _time(client, "/", "Isolation worklist"))
            await _post(client, page + "/status", csrf, status="ACTIVE")
            cold["/members/{id} after a write"].append(
                await _time(client, page, "Circle of support")
            )
            if i % 2 == 0:
                form = {"kind": "person", "person_name": f"Bench {i}", "relation": "FRIEND"}
                await _post(client, page + "/supporters", csrf, **form)
            else:
                ends = re.findall(rf"{page}/ties/\w+/end", (await client.get(page)).text)
                await _post(client, ends[-1], csrf)
            cold["/ after a tie is added or ended"].append(
                await _time(client, "/", "Isolation worklist")
            )
        print(f"{'page (cold: after a write)':<34} {'median':>8} {'p95':>8} {'max':>8} {'trip':>8}")
        for name, times in cold.items():
            print(_row(name, times))


async def _college_client(base: str, app: object) -> tuple[httpx.AsyncClient, str]:
    """A client signed in as Southport College through a one-time link, and its form token."""
    engine = app.state.engine  # type: ignore[attr-defined]
    store = Store.connect(engine.bolt_uri, engine.user, engine.password, engine.database)
    try:
        secret = await signin_secret(store, Role.COLLEGE, college_id="southport-college")
    finally:
        await store.close()
    client = httpx.AsyncClient(base_url=base, timeout=60)
    response = await client.get(f"/signin/{secret}")
    assert response.status_code == 303, response.text
    match = CSRF.search((await client.get("/college")).text)
    assert match
    return client, match.group(1)


async def _time_check(client: httpx.AsyncClient, csrf: str, content: bytes) -> Timing:
    """The dry run of an enrolment file (a POST that writes nothing)."""
    started = time.perf_counter()
    response = await client.post(
        "/college/upload",
        data={"csrf_token": csrf},
        files={"file": ("bench.csv", content, "text/csv")},
    )
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200 or "Check of bench.csv" not in response.text:
        raise RuntimeError(f"upload check: {response.status_code} {response.text[:300]}")
    server = SERVER_TIMING.search(response.headers.get("server-timing", ""))
    return (float(server.group(1)) if server else elapsed), elapsed


async def bench_college(base: str, app: object, requests: int) -> None:
    """Time a college's pages: courses, its busiest course, the upload form and a dry run."""
    client, csrf = await _college_client(base, app)
    try:
        home = (await client.get("/college")).text
        counted = re.findall(
            r'href="(/college/courses/[\w-]+)">.*?(\d+) members? enrolled', home, re.S
        )
        assert counted, "Southport College has no courses"
        busiest, other = sorted(counted, key=lambda c: -int(c[1]))[0][0], counted[-1][0]
        course = (await client.get(busiest)).text
        members = sorted(set(re.findall(r'<code class="id">(TWVtYmVy[^<]+)</code>', course)))
        ids = [
            re.search(r'spreadsheets: <code class="id">([^<]+)<', (await client.get(c)).text)
            for c in (busiest, other)
        ]
        assert all(ids), "no course ids on the course pages"
        # Every member of the busiest course on it again (already linked) and on another course.
        rows = ["member_id,course_id,enrolled_on"]
        for match in ids:
            assert match
            rows += [f"{m},{match.group(1)},2026-01-12" for m in members]
        content = ("\n".join(rows) + "\n").encode()
        pages = [
            ("/college", "/college", "your courses"),
            (f"/college/courses/{{id}} ({len(members)} on it)", busiest, "Enrolments"),
            ("/college/upload", "/college/upload", "Upload enrolments"),
        ]
        print(f"{'college page (warm)':<34} {'median':>8} {'p95':>8} {'max':>8} {'trip':>8}")
        for name, path, expect in pages:
            for _ in range(3):
                await _time(client, path, expect)
            times = [await _time(client, path, expect) for _ in range(requests)]
            print(_row(name, times))
        for _ in range(3):
            await _time_check(client, csrf, content)
        times = [await _time_check(client, csrf, content) for _ in range(requests)]
        print(_row(f"POST /college/upload ({len(rows) - 1} rows)", times))
    finally:
        await client.aclose()


async def _member_client(base: str, app: object) -> httpx.AsyncClient:
    """A client signed in as the demo member with the fullest circle (of the first 100)."""
    engine = app.state.engine  # type: ignore[attr-defined]
    store = Store.connect(engine.bolt_uri, engine.user, engine.password, engine.database)
    try:
        services = Services.build(store)
        boss = Principal(Role.COORDINATOR, subject="coordinator:bench")
        found = await services.members.page(
            boss, offset=0, limit=100, status=MemberStatus.ACTIVE, search=None
        )
        ids = [m.id for m in found.items]
        circles = await services.circles.circles(ids, False)
        member_id = max(ids, key=lambda i: len(circles[i]))
        secret = await signin_secret(store, Role.MEMBER, member_id=member_id)
    finally:
        await store.close()
    client = httpx.AsyncClient(base_url=base, timeout=60)
    response = await client.get(f"/signin/{secret}")
    assert response.status_code == 303, response.text
    return client


async def _time_export(client: httpx.AsyncClient, csrf: str) -> Timing:
    """The member's data as a download (a POST: it is on their access log)."""
    started = time.perf_counter()
    response = await client.post("/me/data/export", data={"csrf_token": csrf})
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200 or '"displayName"' not in response.text:
        raise RuntimeError(f"export: {response.status_code} {response.text[:300]}")
    server = SERVER_TIMING.search(response.headers.get("server-timing", ""))
    return (float(server.group(1)) if server else elapsed), elapsed


async def bench_member(base: str, app: object, requests: int) -> None:
    """Time a member's own pages, and the download of their data."""
    client = await _member_client(base, app)
    try:
        pages = [
            ("/me", "/me", "Your circle of support"),
            ("/me/invitations", "/me/invitations", "Invitations"),
            ("/me/help", "/me/help", "Giving and getting"),
            ("/me/tools", "/me/tools", "Wellness tools"),
            ("/me/sharing", "/me/sharing", "Sharing with colleges"),
            ("/me/looked", "/me/looked", "Who has looked at my data"),
            ("/me/data", "/me/data", "Download my data"),
        ]
        print(f"{'member page (warm)':<34} {'median':>8} {'p95':>8} {'max':>8} {'trip':>8}")
        for name, path, expect in pages:
            for _ in range(3):
                await _time(client, path, expect)
            times = [await _time(client, path, expect) for _ in range(requests)]
            print(_row(name, times))
        match = CSRF.search((await client.get("/me/data")).text)
        assert match
        times = [await _time_export(client, match.group(1)) for _ in range(requests)]
        print(_row("POST /me/data/export", times))
    finally:
        await client.aclose()


def main() -> None:
    """Serve the demo network and time its pages."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    print(f"bench/pages.py on {platform.machine()}, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as data:
        settings = load_settings(
            data_dir=Path(data), rate_limit_per_minute=0, ip_rate_limit_per_minute=0
        )
        with running(settings) as server:  # the first start loads the demo network
            asyncio.run(bench(server.url, server.app, args.requests))
            asyncio.run(bench_college(server.url, server.app, args.requests))
            asyncio.run(bench_member(server.url, server.app, args.requests))


if __name__ == "__main__":
    main()
