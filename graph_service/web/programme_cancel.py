"""Cancelling a session (coordinators): a page that asks first, then the cancelling. A session
whose register holds anyone took place, so it cannot be cancelled; a cancelled one stays on the
programme, marked as cancelled."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from graph_service.auth import Role
from graph_service.domain_programme import ProgrammeSession
from graph_service.web.me_forms import sentence
from graph_service.web.session import Visit, page
from graph_service.web.templating import problem, render


async def _cancellable(request: Request, visit: Visit) -> ProgrammeSession | Response:
    """The session to cancel, or a calm page saying why it cannot be."""
    session_id = request.path_params["session_id"]
    found = await visit.services.programme.get(visit.principal, session_id)
    if found is None:
        return problem(
            request, 404, "No such session", "It may have been removed.", home="/programme"
        )
    if found.cancelled:
        return problem(
            request,
            409,
            "This session is cancelled already",
            "Nothing more to do.",
            home="/programme",
        )
    if found.attended:
        return problem(
            request,
            409,
            "This session took place",
            "Its register has people on it, so it cannot be cancelled.",
            home="/programme",
        )
    return found


@page(Role.COORDINATOR)
async def cancel(request: Request, visit: Visit) -> Response:
    """Ask before cancelling a session (GET), then cancel it (POST)."""
    found = await _cancellable(request, visit)
    if isinstance(found, Response):
        return found
    if request.method == "GET":
        return render(request, "programme_cancel.html", {"visit": visit, "session": found})
    outcome = await visit.services.programme.cancel(visit.principal, found.id)
    if outcome.value is None:
        # Its register was taken between the question and the answer.
        message = sentence(outcome.errors[0].message) if outcome.errors else ""
        return problem(
            request,
            409,
            "This session cannot be cancelled",
            message,
            home="/programme",
        )
    return RedirectResponse(f"/programme/sessions/{found.id}?done=cancelled", status_code=303)
