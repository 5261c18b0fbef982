"""What a refused request costs the server: CPU milliseconds per refusal, worst documents.

Builds the most expensive requests it can that stay within the body size and are refused
(too many tokens, fields, aliases, too deep, fragments that multiply, long strings, comments,
syntax errors, malformed JSON, no token, rate-limited), and sends each one many times straight
to the real app's ASGI callable in this process, with the full middleware stack, on a fresh
embedded engine. Each request is timed with time.process_time (this process's CPU, all
threads; the engine is another process). Also shows, for scale, a small accepted query and the
worst documents that pass every limit but fail graphql-core's own validation.

    .venv/bin/python bench/refusals.py [--repeat N]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.types import Message

from graph_service.app import create_app
from graph_service.auth import Role, issue_token
from graph_service.settings import Settings, load_settings

SECRET = "bench-" + "s" * 40
BUDGET_MS = 5.0


@dataclass(frozen=True)
class Case:
    """One request: its body, headers and the status the server must answer with."""

    name: str
    body: bytes
    status: int
    code: str | None  # the first error's extensions.code; None: no code (GraphQL errors)
    headers: tuple[tuple[bytes, bytes], ...] = ()
    refused: bool = True


def _operation(query: str) -> bytes:
    return json.dumps({"query": query}).encode()


def _fields(count: int, name: str = "__typename") -> str:
    return " ".join([name] * count)


def _cases(settings: Settings) -> list[Case]:
    """The worst requests under the limits of these settings (the defaults).

    Each operation gets a comment of its own per request (see _unique): one token more.
    """
    tokens, fields = settings.graphql_max_tokens, settings.graphql_max_fields
    depth, aliases = settings.graphql_max_depth, settings.graphql_max_aliases
    room = settings.max_body_bytes - 200  # what the JSON envelope leaves for the document
    nested = "id"
    for level in range(depth + 1):
        nested = f"{['member', 'circle'][level % 2]} {{ {nested} }}"
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
    spreads = " ".join(f"...G{i}" for i in range(fields // 2 + 1))
    fragments = " ".join(
        f"fragment G{i} on Query {{ me {{ role }} }}" for i in range(fields // 2 + 1)
    )
    long_string = "x" * (room - 11 * fields - 1000)
    escapes = "\\u00e9" * ((room - 1000) // 7)  # 7 bytes each in JSON
    json_case = {
        "nested-json-arrays": b"[" * (room // 2) + b"]" * (room // 2),
        "invalid-json-64k": b'{"query": "' + b"x" * room,
        "not-utf8-64k": b'{"query": "' + b"\xff" * room + b'"}',
        "json-string-64k": json.dumps("x" * room).encode(),
    }
    cases = [
        Case(f"tokens: {tokens + 1} names", _operation("{ " + _fields(tokens - 1)), 200, None),
        Case(
            f"tokens: {tokens + 1} comments",
            _operation("{ me { role } }\n" + "#\n" * (tokens - 6)),
            200,
            None,
        ),
        Case(
            f"fields: {tokens - 10} x __typename",
            _operation("{ " + _fields(tokens - 10) + " }"),
            200,
            None,
        ),
        Case(
            f"fields: {fields + 1}, long names",
            _operation("{ " + " ".join(f"f{'x' * 100}{i}" for i in range(fields + 1)) + " }"),
            200,
            None,
        ),
        Case(
            "fields: 2^40 by a fragment chain",
            _operation(f"{{ ...F0 }} {chain} fragment F40 on Query {{ __typename }}"),
            200,
            None,
        ),
        Case(
            f"fields: {fields // 2 + 1} fragments of 2 fields",
            _operation(f"{{ {spreads} }} {fragments}"),
            200,
            None,
        ),
        Case(
            f"depth: {depth + 1}, {fields - 20} fields beside",
            _operation(f"{{ {nested} {_fields(fields - 20)} }}"),
            200,
            None,
        ),
        Case(
            f"aliases: {aliases + 1}, {fields - 40} fields beside",
            _operation(
                "{ "
                + " ".join(f"a{i}: me {{ role }}" for i in range(aliases + 1))
                + f" {_fields(fields - 40)} }}"
            ),
            200,
            None,
        ),
        Case(
            f"long string ({len(long_string) // 1024} KiB) + {fields + 1} fields",
            _operation(f'{{ member(id: "{long_string}") {{ id }} {_fields(fields + 1)} }}'),
            200,
            None,
        ),
        Case(
            f"escaped string ({len(escapes) // 1024} KiB) + depth {depth + 1}",
            _operation(f'{{ n: member(id: "{escapes}") {{ id }} {nested} }}'),
            200,
            None,
        ),
        Case(
            f"syntax: stray character after {tokens - 2} tokens",
            _operation("{ " + _fields(tokens - 2) + " } %"),
            200,
            None,
        ),
        Case(
            f"syntax: unclosed after {tokens - 2} tokens",
            _operation("{ " + _fields(tokens - 2) + " { "),
            200,
            None,
        ),
        *(Case(name, body, 400, "BAD_REQUEST") for name, body in json_case.items()),
        Case(
            "no token, 64 KiB body",
            _operation("{ " + "x" * room + " }"),
            401,
            "UNAUTHENTICATED",
            headers=((b"authorization", b"Bearer junk"),),
        ),
        Case(
            "body one byte too large",
            b" " * (settings.max_body_bytes + 1),
            413,
            "PAYLOAD_TOO_LARGE",
        ),
        # For scale: within every limit, so graphql-core parses and validates them in full.
        Case(
            f"validation: {fields} unknown fields",
            _operation("{ " + " ".join(f"f{i}" for i in range(fields)) + " }"),
            200,
            None,
        ),
        Case(
            f"validation: {fields // 2 - 1} x me {{ role }} + 1 unknown",
            _operation("{ " + _fields(fields // 2 - 1, "me { role }") + " nope }"),
            200,
            None,
        ),
        Case(
            f"syntax: bad grammar after {tokens - 15} tokens",
            _operation("{ me(x: [" + "1 " * (tokens - 15) + "]) { role } : }"),
            200,
            None,
        ),
        Case("accepted: { me { role } }", _operation("{ me { role } }"), 200, None, refused=False),
        Case(
            f"accepted: {fields // 2} x me {{ role }}",
            _operation("{ " + _fields(fields // 2, "me { role }") + " }"),
            200,
            None,
            refused=False,
        ),
    ]
    return cases


_counter = iter(range(10**9))


def _unique(body: bytes) -> bytes:
    """The same request with a comment of its own, so that no cache can answer it."""
    start = b'{"query": "'
    if not body.startswith(start):
        return body
    return start + b"#%d\\n" % next(_counter) + body[len(start) :]


async def _request(app: Starlette, case: Case, token: str) -> tuple[int, dict[str, Any]]:
    body = _unique(case.body)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *(case.headers or ((b"authorization", f"Bearer {token}".encode()),)),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
        "app": app,
    }
    sent = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, json.loads(b"".join(chunks))


def _check(case: Case, status: int, body: dict[str, Any]) -> None:
    errors = body.get("errors") or []
    problem = status != case.status or (case.code and errors[0]["extensions"]["code"] != case.code)
    if (case.refused and not errors) or (not case.refused and errors) or problem:
        raise RuntimeError(f"{case.name}: unexpected answer {status} {json.dumps(body)[:300]}")


async def _run(repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-refusals-") as folder:
        settings = load_settings(
            data_dir=Path(folder),
            auth_secret=SECRET,
            env="production",  # no demo network, no GraphiQL: as deployed
            rate_limit_per_minute=0,
            ip_rate_limit_per_minute=0,
        )
        limited = load_settings(
            data_dir=Path(folder) / "second",
            auth_secret=SECRET,
            env="production",
            rate_limit_per_minute=1,
            graph_uri="bolt://127.0.0.1:1",  # never reached: no lifespan, every request refused
        )
        app = create_app(settings)
        token = issue_token(SECRET, Role.COORDINATOR)
        rows: list[tuple[str, int, float, float]] = []
        async with app.router.lifespan_context(app):
            for case in _cases(settings):
                rows.append(await _time(lambda c=case: _request(app, c, token), case, repeat))
        # A bad token's first request spends the client address's quota of one a minute.
        throttled = create_app(limited)
        junk = ((b"authorization", b"Bearer junk"),)
        case = Case("rate-limited (429)", _operation("{ me { role } }"), 429, "RATE_LIMITED", junk)
        await _request(throttled, Case("first", case.body, 401, None, junk), token)
        rows.append(await _time(lambda: _request(throttled, case, token), case, repeat))
    _print(settings, rows, repeat)


async def _time(send: Callable[[], Any], case: Case, repeat: int) -> tuple[str, int, float, float]:
    for _ in range(3):  # warm-up, and a check of the answer
        status, body = await send()
        _check(case, status, body)
    samples = []
    for _ in range(repeat):
        started = time.process_time()
        await send()
        samples.append((time.process_time() - started) * 1000)
    return case.name, len(case.body), statistics.median(samples), max(samples)


def _print(settings: Settings, rows: list[tuple[str, int, float, float]], repeat: int) -> None:
    cpus = os.cpu_count()
    print(
        f"bench/refusals.py, {dt.date.today()}, {platform.system()} {cpus} CPUs, Python "
        f"{platform.python_version()}; {repeat} requests each, CPU ms per request in-process "
        f"(limits: {settings.graphql_max_tokens} tokens, {settings.graphql_max_fields} fields, "
        f"depth {settings.graphql_max_depth}, {settings.graphql_max_aliases} aliases, "
        f"{settings.max_body_bytes} bytes)\n"
    )
    print(f"{'request':52} {'bytes':>7} {'median':>8} {'max':>8}")
    for name, size, median, worst in rows:
        flag = (
            "  over budget"
            if median > BUDGET_MS
            and not name.startswith(("validation:", "syntax: bad", "accepted:"))
            else ""
        )
        print(f"{name:52} {size:7} {median:8.2f} {worst:8.2f}{flag}")


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="timed requests per case")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # one log line per request would be timed too
    asyncio.run(_run(args.repeat))


if __name__ == "__main__":
    sys.exit(main())
