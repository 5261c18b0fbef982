"""What a refused request costs the server: CPU milliseconds per refusal, worst documents.

Builds the most expensive requests it can, by section: documents just over the token, field,
alias or depth limits (and introspection, in production); malformed bodies, no token, a body
too large, rate-limited; each kind of costly document in refusal_documents.py (same-named
fields that graphql-core's overlap check compares pairwise, hundreds of errors, sheer size)
as large as the token, field, alias and depth limits allow, which the cost limit refuses
before parsing; the same kinds as large as every limit allows, cost included, which
graphql-core parses and refuses; accepted documents for scale. Each is sent many times
straight to the real app's ASGI callable in this process, with the full middleware stack, on
a fresh embedded engine ("app"), and documents also go through the same schema's execute
without HTTP, execution skipped ("graphql": parse and validation). Each run is timed with
time.process_time (this process's CPU, all threads; the engine is another process).

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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from graphql import ExecutionResult
from starlette.applications import Starlette
from starlette.types import Message
from strawberry.extensions import SchemaExtension

from bench.refusal_documents import Document, accepted, over_the_limits, worst_documents
from graph_service.api.schema import Schema, build_schema
from graph_service.app import create_app
from graph_service.auth import Role, issue_token
from graph_service.graphql_limits import MAX_COST, measure_document
from graph_service.graphql_measure import QUERY_TOO_COMPLEX
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
    query: str | None = None  # a document to time in-process too
    operation: str | None = None


def _operation(query: str, operation: str | None = None) -> bytes:
    return json.dumps({"query": query, "operationName": operation}).encode()


def _doc(document: Document) -> Case:
    """A GraphQL request: refused with the document's code (None: any), or accepted."""
    body = _operation(document.query, document.operation)
    return Case(
        document.name,
        body,
        200,
        document.code,
        refused=document.refused,
        query=document.query,
        operation=document.operation,
    )


def _cases(settings: Settings, schema: Schema) -> list[Case | str]:
    """The worst requests under the limits of these settings (the defaults), by section."""
    room = settings.max_body_bytes - 200  # what the JSON envelope leaves for the document
    json_case = {
        "nested-json-arrays": b"[" * (room // 2) + b"]" * (room // 2),
        "invalid-json-64k": b'{"query": "' + b"x" * room,
        "not-utf8-64k": b'{"query": "' + b"\xff" * room + b'"}',
        "json-string-64k": json.dumps("x" * room).encode(),
    }
    graph = schema._schema
    over_cost = [
        replace(d, code=QUERY_TOO_COMPLEX)
        for d in worst_documents(settings, graph, cost=False)
        if measure_document(d.query, 10**6).cost > MAX_COST
    ]
    return [
        "Over a limit on the text: refused before parsing",
        *map(_doc, over_the_limits(settings)),
        "Refused by the HTTP layer",
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
        "Within the token, field, alias and depth limits, over the cost: refused before parsing",
        *map(_doc, over_cost),
        "Within every limit, cost included: refused by graphql-core (parse, validation)",
        *map(_doc, worst_documents(settings, graph)),
        "Accepted, for scale",
        *map(_doc, accepted(settings)),
    ]


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


class _SkipExecution(SchemaExtension):
    """Stop after validation: the in-process figure is the cost of parsing and checking."""

    def on_execute(self) -> Iterator[None]:
        self.execution_context.result = ExecutionResult(data={})
        yield


async def _execute(schema: Schema, case: Case) -> tuple[int, dict[str, Any]]:
    assert case.query is not None
    query = f"#{next(_counter)}\n{case.query}"
    result = await schema.execute(query, operation_name=case.operation)
    errors = [{"extensions": e.extensions or {}} for e in result.errors or ()]
    return 200, {"errors": errors} if errors else {"data": result.data}


Row = tuple[str, int, float | None, float, float, bool]


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
        schema = build_schema(settings)  # the app's schema, without HTTP and execution
        schema.extensions = (*schema.extensions, _SkipExecution)
        token = issue_token(SECRET, Role.COORDINATOR)
        rows: list[Row | str] = []
        async with app.router.lifespan_context(app):
            for case in _cases(settings, schema):
                if isinstance(case, str):
                    rows.append(case)
                    continue
                graphql = None
                if case.query is not None:
                    graphql = await _time(lambda c=case: _execute(schema, c), case, repeat)
                served = await _time(lambda c=case: _request(app, c, token), case, repeat)
                rows.append(
                    (case.name, len(case.body), graphql and graphql[0], *served, case.refused)
                )
        # A bad token's first request spends the client address's quota of one a minute.
        throttled = create_app(limited)
        junk = ((b"authorization", b"Bearer junk"),)
        case = Case("rate-limited (429)", _operation("{ me { role } }"), 429, "RATE_LIMITED", junk)
        await _request(throttled, Case("first", case.body, 401, None, junk), token)
        rows.append("Refused by the rate limit")
        served = await _time(lambda: _request(throttled, case, token), case, repeat)
        rows.append((case.name, len(case.body), None, *served, True))
    _print(settings, rows, repeat)


async def _time(send: Callable[[], Any], case: Case, repeat: int) -> tuple[float, float]:
    """The median and the maximum CPU milliseconds of `repeat` runs, after a check."""
    for _ in range(3):  # warm-up, and a check of the answer
        status, body = await send()
        _check(case, status, body)
    samples = []
    for _ in range(repeat):
        started = time.process_time()
        await send()
        samples.append((time.process_time() - started) * 1000)
    return statistics.median(samples), max(samples)


def _print(settings: Settings, rows: list[Row | str], repeat: int) -> None:
    cpus = os.cpu_count()
    print(
        f"bench/refusals.py, {dt.date.today()}, {platform.system()} {cpus} CPUs, Python "
        f"{platform.python_version()}; {repeat} runs each, CPU ms per request in-process "
        f"(limits: {settings.graphql_max_tokens} tokens, {settings.graphql_max_fields} fields, "
        f"depth {settings.graphql_max_depth}, {settings.graphql_max_aliases} aliases, "
        f"{settings.max_body_bytes} bytes)\n"
        "graphql: schema.execute, parse and validation only (median); "
        "app: the whole ASGI app (median, max)\n"
    )
    print(f"{'request':52} {'bytes':>7} {'graphql':>8} {'app':>8} {'max':>8}")
    for row in rows:
        if isinstance(row, str):
            print(f"\n{row}")
            continue
        name, size, graphql, median, worst, refused = row
        flag = "  over budget" if refused and median > BUDGET_MS else ""
        shown = "" if graphql is None else f"{graphql:.2f}"
        print(f"{name:52} {size:7} {shown:>8} {median:8.2f} {worst:8.2f}{flag}")


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="timed requests per case")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # one log line per request would be timed too
    asyncio.run(_run(args.repeat))


if __name__ == "__main__":
    sys.exit(main())
