"""Coordinators' forms for the programme: add a session, add a weekly schedule, add a kind of
session. Each is one plain form: what the page cannot read, or the service refuses, comes back
next to its field with everything typed kept. The members who lead are chosen inside the form:
its Find button searches active members by name, and ticked names stay ticked."""

from __future__ import annotations

from typing import Final
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from graph_service.auth import Role
from graph_service.domain import MemberStatus
from graph_service.domain_programme import NewSession, Person, Schedule
from graph_service.services.programme import MAX_MINUTES, MIN_MINUTES
from graph_service.web.me_forms import text
from graph_service.web.programme_reading import FRESH, WEEKDAYS, Filled, Reader, errors_of
from graph_service.web.session import Visit, page
from graph_service.web.templating import render

FIND_LIMIT: Final = 10
# Each form: where it posts (and where adding a kind comes back to) and its template.
FORMS: Final = {
    "session": ("/programme/new", "programme_new.html"),
    "schedule": ("/programme/schedule", "programme_schedule.html"),
}
DONE: Final = {
    "kind": "The kind of session has been added to the list, and chosen below.",
    "known": "That kind of session is on the list already, and has been chosen below.",
}


async def _people(visit: Visit, ids: tuple[str, ...]) -> list[Person]:
    found = await visit.services.members.by_ids(list(ids)) if ids else {}
    return [Person(i, found[i].display_name) for i in ids if i in found]


async def _find(visit: Visit, words: str, chosen: tuple[str, ...]) -> list[Person]:
    found = await visit.services.members.page(
        visit.principal, offset=0, limit=FIND_LIMIT, status=MemberStatus.ACTIVE, search=words
    )
    return [Person(m.id, m.display_name) for m in found.items if m.id not in chosen]


async def show(
    request: Request,
    visit: Visit,
    which: str,
    filled: Filled | None = None,
    *,
    failed: str | None = None,
    errors: dict[str, str] | None = None,
    searched: str | None = None,
    status_code: int = 200,
) -> Response:
    """The form to add a session or a schedule, as filled in so far."""
    filled = filled or Filled.of(None)
    kinds = await visit.services.programme.available(visit.principal)
    values = dict(filled.values)
    if not values.get("kind"):
        values["kind"] = request.query_params.get("kind", "")
    return render(
        request,
        FORMS[which][1],
        {
            "visit": visit,
            "form_id": which,
            "action": FORMS[which][0],
            "kinds": kinds,
            "values": values,
            "weekdays": WEEKDAYS,
            "ticked": filled.weekdays,
            "chosen": await _people(visit, filled.chosen),
            "found": await _find(visit, searched, filled.chosen) if searched else [],
            "searched": searched,
            "failed": failed,
            "errors": errors or {},
            "done": DONE.get(request.query_params.get("done", "")),
            "min_minutes": MIN_MINUTES,
            "max_minutes": MAX_MINUTES,
        },
        status_code,
    )


async def _refused(
    request: Request, visit: Visit, which: str, filled: Filled, errors: dict[str, str]
) -> Response:
    """The form again, as filled in, with what needs changing next to its fields (a 400)."""
    return await show(request, visit, which, filled, failed=which, errors=errors, status_code=400)


async def _looked_up(request: Request, visit: Visit, which: str, filled: Filled) -> Response:
    """The form again with the members whose names match (nothing is saved)."""
    if not filled.find:
        say = {"find": "Type part of a member's name, then choose Find."}
        return await _refused(request, visit, which, filled, say)
    return await show(request, visit, which, filled, searched=filled.find)


async def _read(request: Request) -> tuple[Filled, bool]:
    """The form as filled in, and whether the coordinator asked to find a member."""
    form = await request.form()
    filled = Filled.of(form)
    # A name left in the finder is found first, never dropped: so saving waits for a tick.
    return filled, text(form, "action") == "find" or bool(filled.find)


async def _filled_in(request: Request, visit: Visit, which: str) -> Filled | Response:
    """The form as filled in to save; or the page to answer instead (the empty form, or Find)."""
    if request.method == "GET":
        return await show(request, visit, which)
    filled, finding = await _read(request)
    if finding:
        return await _looked_up(request, visit, which, filled)
    return filled


@page(Role.COORDINATOR)
async def new_session(request: Request, visit: Visit) -> Response:
    """Add a session: the form (GET), then the session itself (POST)."""
    filled = await _filled_in(request, visit, "session")
    if isinstance(filled, Response):
        return filled
    read = Reader(filled)
    kind, on = read.kind(), read.day("on", "the date")
    start, minutes = read.clock(), read.minutes()
    if read.errors:
        return await _refused(request, visit, "session", filled, read.errors)
    new = NewSession(
        kind,
        on,
        start,
        minutes,
        filled.values["venue"],
        filled.chosen,
        filled.staff(),
    )
    outcome = await visit.services.programme.create(visit.principal, new)
    if outcome.value is None:
        return await _refused(request, visit, "session", filled, errors_of(outcome.errors))
    return RedirectResponse(f"/programme/sessions/{outcome.value.id}?done=added", status_code=303)


@page(Role.COORDINATOR)
async def new_schedule(request: Request, visit: Visit) -> Response:
    """Add a weekly schedule: the form (GET), then its sessions (POST)."""
    filled = await _filled_in(request, visit, "schedule")
    if isinstance(filled, Response):
        return filled
    read = Reader(filled)
    kind, weekdays = read.kind(), read.weekdays(filled.weekdays)
    first, last = read.day("from", "the first day"), read.day("to", "the last day")
    start, minutes = read.clock(), read.minutes()
    if read.errors:
        return await _refused(request, visit, "schedule", filled, read.errors)
    schedule = Schedule(
        kind,
        weekdays,
        start,
        first,
        last,
        minutes,
        filled.values["venue"],
        filled.chosen,
        filled.staff(),
    )
    outcome = await visit.services.programme.schedule(visit.principal, schedule)
    if outcome.value is None:
        return await _refused(request, visit, "schedule", filled, errors_of(outcome.errors))
    schedule_id = outcome.value[0].schedule_id
    return RedirectResponse(
        f"/programme?from={first.isoformat()}&scheduled={schedule_id}", status_code=303
    )


@page(Role.COORDINATOR)
async def add_kind(request: Request, visit: Visit) -> Response:
    """Add a kind of session to the list, then choose it on the form the coordinator came from."""
    form = await request.form()
    which = "schedule" if text(form, "back") == "schedule" else "session"
    name = text(form, "name")
    # The list compares kinds ignoring case: a kind on it already is chosen, not added again.
    known = {
        kind.casefold(): kind for kind in await visit.services.programme.available(visit.principal)
    }
    if name.casefold() in known:
        kind, done = known[name.casefold()], "known"
    else:
        outcome = await visit.services.programme.add_kind(visit.principal, name)
        if outcome.value is None:
            filled = Filled({**FRESH, "name": name}, frozenset(), (), "")
            errors = errors_of(outcome.errors)
            return await show(
                request, visit, which, filled, failed="kind", errors=errors, status_code=400
            )
        kind, done = outcome.value, "kind"
    return RedirectResponse(
        f"{FORMS[which][0]}?done={done}&kind={quote(kind, safe='')}#{which}-kind", status_code=303
    )
