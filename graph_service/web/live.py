"""The dashboard's live worklist: an event stream that says when the worklist changed, and the
worklist alone for static/live.js to put in place. Without JavaScript the page is as before.

The stream carries no names and no ids, only that the view changed: what is shown comes from
`/worklist/part`, a page like any other (signed in, coordinators only, its reads audited).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import ExitStack

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from graph_service.analysis.live import IsolationChange
from graph_service.auth import Role
from graph_service.errors import TooManySubscriptions
from graph_service.live_streams import LiveStreams
from graph_service.services.worklist import WorklistQuery, worklist
from graph_service.web.dashboard import view_link, worklist_query
from graph_service.web.session import Visit, page
from graph_service.web.templating import problem, render

HEARTBEAT_SECONDS = 15.0  # a comment now and then: proxies keep the stream, dead ones are found
RETRY_MS = 5000


def _event(name: str, data: dict[str, object]) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


async def _events(visit: Visit, streams: LiveStreams, query: WorklistQuery) -> AsyncIterator[str]:
    """The stream: `worklist` when the view changed, `bye` when the server stops."""
    queue: asyncio.Queue[list[IsolationChange]] = asyncio.Queue()
    with ExitStack() as held:  # the slot and the watch end with the stream, however it ends
        try:
            held.enter_context(streams.slot(visit.principal))
        except TooManySubscriptions:  # another view opened since the check
            yield _event("bye", {"reason": "too many live views open"})
            return
        held.callback(
            await visit.services.analyses.watch_isolation(
                visit.principal, queue.put_nowait, statuses=query.statuses
            )
        )
        yield f"retry: {RETRY_MS}\n\n"
        while True:
            batch = await streams.next(queue, patience=HEARTBEAT_SECONDS)
            if batch is not None:
                yield _event("worklist", {"changed": len(batch)})
            elif streams.closing.is_set():
                yield _event("bye", {"reason": "the server is stopping"})
                return
            else:
                yield ": still here\n\n"


@page(Role.COORDINATOR)
async def worklist_events(request: Request, visit: Visit) -> Response:
    """Server-Sent Events: the worklist changed (no names, no ids)."""
    streams: LiveStreams = request.app.state.streams
    if streams.open_for(visit.principal) >= streams.per_caller:
        return problem(
            request,
            429,
            "Too many live views",
            f"At most {streams.per_caller} pages can update live at once. Close one, or "
            "reload this page to see changes.",
        )
    return StreamingResponse(
        _events(visit, streams, worklist_query(request)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@page(Role.COORDINATOR)
async def worklist_part(request: Request, visit: Visit) -> Response:
    """The worklist alone, as the dashboard shows it for this view."""
    found = await worklist(visit.services, visit.principal, worklist_query(request))
    return render(
        request,
        "_worklist.html",
        {"visit": visit, "worklist": found, "view_link": view_link},
    )


ROUTES = [
    Route("/worklist/events", worklist_events, methods=["GET"]),
    Route("/worklist/part", worklist_part, methods=["GET"]),
]
