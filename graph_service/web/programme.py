"""The programme's pages: the sessions of the weeks around today, and a session's register as a
tick list that works on a phone. Coordinators see every session and can add anyone to a
register; a member who facilitates sees their own sessions and ticks the group's members."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Final

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from graph_service.auth import Role
from graph_service.domain import MemberStatus
from graph_service.domain_programme import Person
from graph_service.errors import InvalidInput
from graph_service.services.validation import today
from graph_service.web.me_forms import sentence
from graph_service.web.programme_reading import in_reach
from graph_service.web.session import Visit, page
from graph_service.web.templating import problem, render

WINDOW: Final = timedelta(weeks=2)
_ID: Final = re.compile(r"[0-9a-f]{32}")
PER_PAGE: Final = 100
FIND_LIMIT: Final = 10
# What a session's page says after a form worked (the register's own words are in its page).
DONE: Final = {
    "added": "The session has been added to the programme.",
    "cancelled": "The session has been cancelled. It stays on the programme, marked cancelled.",
}


async def _scheduled(request: Request, visit: Visit) -> int:
    """How many sessions the schedule just added made (0 when the page is not after one)."""
    # Counted in the graph, not taken from the address, so a link cannot make it say more.
    schedule_id = request.query_params.get("scheduled", "")
    if visit.principal.role is not Role.COORDINATOR or not _ID.fullmatch(schedule_id):
        return 0
    return await visit.services.programme.schedule_size(visit.principal, schedule_id)


def _start(request: Request) -> date:
    value = request.query_params.get("from", "")
    if not value:
        return today() - WINDOW
    try:
        start = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("from must be a date written YYYY-MM-DD") from None
    if not in_reach(start):
        raise InvalidInput("from must be a date within ten years of today")
    return start


@page(Role.COORDINATOR, Role.MEMBER)
async def sessions(request: Request, visit: Visit) -> Response:
    """Sessions of four weeks (from two weeks ago), each with a link to its register."""
    start = _start(request)
    last = start + 2 * WINDOW
    found = await visit.services.programme.sessions(
        visit.principal, start, last, offset=0, limit=PER_PAGE
    )
    return render(
        request,
        "programme.html",
        {
            "visit": visit,
            "sessions": found.items,
            "more": found.total > len(found.items),
            "first": start,
            "last": last,
            "earlier": (start - 2 * WINDOW).isoformat(),
            "later": (start + 2 * WINDOW).isoformat(),
            "today": today(),
            "coordinator": visit.principal.role is Role.COORDINATOR,
            "scheduled": await _scheduled(request, visit),
        },
    )


async def _register_page(
    request: Request,
    visit: Visit,
    *,
    error: str | None = None,
    ticked: set[str] | None = None,
    status_code: int = 200,
) -> Response:
    session_id = request.path_params["session_id"]
    found = await visit.services.attendance.register(visit.principal, session_id)
    if found is None:
        return problem(
            request, 404, "No such session", "It may have been removed.", home="/programme"
        )
    coordinator = visit.principal.role is Role.COORDINATOR
    find = request.query_params.get("find", "").strip()[:80] if coordinator else ""
    people = {p.id: p for p in (*found.regulars, *found.present)}
    extra: list[Person] = []
    if find:
        page_ = await visit.services.members.page(
            visit.principal, offset=0, limit=FIND_LIMIT, status=MemberStatus.ACTIVE, search=find
        )
        extra = [Person(m.id, m.display_name) for m in page_.items if m.id not in people]
    here = {p.id for p in found.present} if ticked is None else ticked
    listed = sorted(people.values(), key=lambda p: (p.name.casefold(), p.id)) + extra
    done = request.query_params.get("done", "")
    return render(
        request,
        "register.html",
        {
            "visit": visit,
            "session": found.session,
            "people": listed,
            "here": here,
            "find": find,
            "searched": bool(find),
            "coordinator": coordinator,
            "open": not found.session.cancelled and found.session.on <= today(),
            "saved": done == "saved",
            "said": DONE.get(done),
            "cancellable": coordinator
            and not found.session.cancelled
            and not found.session.attended,
            "error": error,
        },
        status_code,
    )


@page(Role.COORDINATOR, Role.MEMBER)
async def register(request: Request, visit: Visit) -> Response:
    """A session's register: tick who came."""
    return await _register_page(request, visit)


@page(Role.COORDINATOR, Role.MEMBER)
async def take_register(request: Request, visit: Visit) -> Response:
    """Save the register: exactly the members ticked."""
    session_id = request.path_params["session_id"]
    form = await request.form()
    present = [value for value in form.getlist("present") if isinstance(value, str)]
    outcome = await visit.services.attendance.take(visit.principal, session_id, present)
    if outcome.errors:
        message = sentence(outcome.errors[0].message)
        return await _register_page(
            request, visit, error=message, ticked=set(present), status_code=400
        )
    return RedirectResponse(f"/programme/sessions/{session_id}?done=saved", status_code=303)


async def my_programme(visit: Visit, member_id: str) -> dict[str, object]:
    """What the member's own page says of the programme: sessions they came to, and lead."""
    attended = await visit.services.attendance.of_member(visit.principal, member_id)
    leads = await visit.services.programme.sessions(
        visit.principal, today() - WINDOW, today() + WINDOW, offset=0, limit=1
    )
    return {
        "count": len(attended),
        "latest": attended[0].session if attended else None,
        "leads": leads.total > 0,
    }
