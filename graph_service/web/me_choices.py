"""A member's answers and choices: invitations to support others, wellness tools, and
sharing with partner colleges."""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from graph_service.auth import Role
from graph_service.domain import Enrolment
from graph_service.web.me_forms import back, errors_of, me, text
from graph_service.web.session import Visit, page
from graph_service.web.templating import render

DONE: Final = {
    "accepted": "You said yes. You are now in their circle.",
    "declined": "You said no. The invitation has gone.",
    "tools": "Your wellness tools have been saved.",
    "shared": "You are now sharing with the college.",
    "stopped": "You have stopped sharing with the college.",
}


def _done(request: Request) -> str | None:
    return DONE.get(request.query_params.get("done", ""))


async def _invitations_page(
    request: Request, visit: Visit, errors: dict[str, str] | None = None, status_code: int = 200
) -> Response:
    member_id = me(visit)
    pending = (await visit.services.circles.supporting([member_id], True)).get(member_id, [])
    context = {
        "visit": visit,
        "invitations": pending,
        "done": _done(request),
        "errors": errors or {},
        "cooling_off_days": visit.settings.invite_cooling_off_days,
    }
    return render(request, "me_invitations.html", context, status_code)


@page(Role.MEMBER)
async def invitations(request: Request, visit: Visit) -> Response:
    """Other members asking this member to support them."""
    return await _invitations_page(request, visit)


@page(Role.MEMBER)
async def answer_invitation(request: Request, visit: Visit) -> Response:
    """Say yes or no to one invitation."""
    answer = text(await request.form(), "answer")
    if answer not in ("yes", "no"):
        return await _invitations_page(request, visit, {"": "Choose yes or no."}, 400)
    outcome = await visit.services.circles.respond(
        visit.principal, request.path_params["tie_id"], answer == "yes"
    )
    if outcome.errors:
        errors = errors_of(outcome.errors, visit.settings.circle_max)
        return await _invitations_page(request, visit, {"": next(iter(errors.values()))}, 400)
    return back("/me/invitations", "accepted" if answer == "yes" else "declined")


async def _tools_page(
    request: Request, visit: Visit, errors: dict[str, str] | None = None, failed: str = ""
) -> Response:
    member_id = me(visit)
    available = await visit.services.wellness.available()
    mine = (await visit.services.wellness.tools_of([member_id])).get(member_id, [])
    context = {
        "visit": visit,
        "available": sorted(available, key=str.casefold),
        "mine": mine,
        "done": _done(request),
        "errors": errors or {},
        "failed": failed,
    }
    return render(request, "me_tools.html", context, 400 if errors else 200)


@page(Role.MEMBER)
async def tools(request: Request, visit: Visit) -> Response:
    """The network's wellness tools, and the ones this member uses."""
    return await _tools_page(request, visit)


@page(Role.MEMBER)
async def choose_tools(request: Request, visit: Visit) -> Response:
    """Choose one tool (the easy path), or several."""
    form = await request.form()
    how = text(form, "how")
    chosen = [value for value in form.getlist("tools") if isinstance(value, str)]
    if how not in ("one", "several"):
        return await _tools_page(request, visit, {"tools": "Choose a tool."}, "one")
    if how == "one" and len(chosen) != 1:
        return await _tools_page(request, visit, {"tools": "Choose one tool."}, "one")
    outcome = await visit.services.wellness.set_for(visit.principal, me(visit), chosen)
    if outcome.errors:
        return await _tools_page(
            request, visit, errors_of(outcome.errors, visit.settings.circle_max), how
        )
    return back("/me/tools", "tools")


def _by_college(enrolments: list[Enrolment]) -> dict[str, list[Enrolment]]:
    found: dict[str, list[Enrolment]] = {}
    for enrolment in enrolments:
        found.setdefault(enrolment.college_id, []).append(enrolment)
    return found


async def _sharing_page(
    request: Request, visit: Visit, errors: dict[str, str] | None = None, status_code: int = 200
) -> Response:
    member_id = me(visit)
    services = visit.services
    colleges = await services.colleges.colleges(visit.principal)
    consents = (await services.enrolments.consents_of([member_id])).get(member_id, [])
    enrolments = (await services.enrolments.of_members([member_id])).get(member_id, [])
    courses = await services.colleges.courses_by_ids(sorted({e.course_id for e in enrolments}))
    context = {
        "visit": visit,
        "colleges": sorted(colleges, key=lambda c: c.name.casefold()),
        "shared": {c.college_id: c for c in consents},
        "enrolments": _by_college(enrolments),
        "courses": courses,
        "done": _done(request),
        "errors": errors or {},
    }
    return render(request, "me_sharing.html", context, status_code)


@page(Role.MEMBER)
async def sharing(request: Request, visit: Visit) -> Response:
    """Which partner colleges may link this member to their courses."""
    return await _sharing_page(request, visit)


@page(Role.MEMBER)
async def change_sharing(request: Request, visit: Visit) -> Response:
    """Start or stop sharing with one college."""
    college_id = request.path_params["college_id"]
    answer = text(await request.form(), "answer")
    if answer not in ("share", "stop"):
        return await _sharing_page(request, visit, {college_id: "Choose share or stop."}, 400)
    enrolments = visit.services.enrolments
    if answer == "share":
        outcome = await enrolments.grant(visit.principal, college_id)
        errors = outcome.errors
    else:
        stopped = await enrolments.revoke(visit.principal, college_id)
        errors = stopped.errors
    if errors:
        said = errors_of(errors, visit.settings.circle_max)
        return await _sharing_page(request, visit, {college_id: next(iter(said.values()))}, 400)
    return back(
        "/me/sharing", "shared" if answer == "share" else "stopped", f"college-{college_id}"
    )
