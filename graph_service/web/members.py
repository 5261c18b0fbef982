"""A member's page for coordinators, and the forms on it: add a supporter, end a tie, set the
status, record help, give a sign-in link, end the member's sessions."""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from graph_service.auth import Role
from graph_service.domain import (
    HelpKind,
    MemberStatus,
    Outcome,
    Relation,
    SupporterKind,
    UserError,
)
from graph_service.services.profiles import member_profile
from graph_service.services.validation import today
from graph_service.web import words
from graph_service.web.links import link_page
from graph_service.web.pictures import circle_entries, circle_picture
from graph_service.web.session import Visit, page
from graph_service.web.templating import problem, render

DONE: Final = {
    "added": "The supporter has been added to the circle.",
    "invited": "The invitation has been sent. The tie becomes active when they accept.",
    "ended": "The tie has ended. It stays in the history below.",
    "status": "The member's status has been changed.",
    "help": "The help has been recorded. The other member can confirm it.",
    "sessions": "Every sign-in of this member has been ended.",
}
FIND_LIMIT: Final = 10


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _errors(found: list[UserError]) -> dict[str, str]:
    """userErrors keyed by the page's own input names ('' for the form as a whole)."""
    errors: dict[str, str] = {}
    for error in found:
        name = words.FORM_FIELDS.get(error.field or "", "")
        errors.setdefault(name, error.message[:1].upper() + error.message[1:] + ".")
    return errors


def _no_such_member(request: Request) -> Response:
    return problem(
        request, 404, "No such member", "This member does not exist or has been erased.", home="/"
    )


async def _show(
    request: Request,
    visit: Visit,
    member_id: str,
    *,
    failed: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    profile = await member_profile(visit.services, visit.principal, member_id)
    if profile is None:
        return _no_such_member(request)
    find = request.query_params.get("find", "").strip()[:80]
    found = []
    if find:
        page_ = await visit.services.members.page(
            visit.principal, offset=0, limit=FIND_LIMIT, status=MemberStatus.ACTIVE, search=find
        )
        found = [m for m in page_.items if m.id != member_id]
    # Help is recorded between members who know each other: those in either's circle.
    partners = {
        t.supporter.id: t.supporter.name
        for t in profile.circle
        if t.supporter.kind is SupporterKind.MEMBER
    } | {t.member_id: t.member_name for t in profile.supporting}
    sessions = await visit.services.signin.member_sessions(visit.principal, member_id)
    organisations = await visit.services.organisations.all(visit.principal)
    form = dict((await request.form()).items()) if request.method == "POST" else {}
    return render(
        request,
        "member.html",
        {
            "visit": visit,
            "profile": profile,
            "picture": circle_picture(
                profile.member.display_name, circle_entries(profile.open_ties)
            ),
            "done": DONE.get(request.query_params.get("done", "")),
            "find": find,
            "found": found,
            "partners": sorted(partners.items(), key=lambda kv: kv[1].casefold()),
            "organisations": organisations,
            "sessions": sessions,
            "failed": failed,
            "errors": errors or {},
            "form": form,
            "circle_max": visit.settings.circle_max,
            "today": today().isoformat(),
        },
        status_code,
    )


@page(Role.COORDINATOR)
async def member_page(request: Request, visit: Visit) -> Response:
    """A member's page."""
    return await _show(request, visit, request.path_params["member_id"])


async def _done_or_errors(
    request: Request, visit: Visit, outcome: Outcome[Any], form: str, done: str
) -> Response:
    member_id = request.path_params["member_id"]
    if outcome.errors:
        return await _show(
            request, visit, member_id, failed=form, errors=_errors(outcome.errors), status_code=400
        )
    return RedirectResponse(f"/members/{member_id}?done={done}#{form}", status_code=303)


async def _invalid(request: Request, visit: Visit, form: str, field: str, message: str) -> Response:
    return await _show(
        request,
        visit,
        request.path_params["member_id"],
        failed=form,
        errors={field: message},
        status_code=400,
    )


@page(Role.COORDINATOR)
async def add_supporter(request: Request, visit: Visit) -> Response:
    """Add a person, an organisation or (by invitation) another member to the circle."""
    member_id = request.path_params["member_id"]
    form = await request.form()
    kind = _text(form, "kind")
    if kind not in ("person", "organisation", "member"):
        return await _invalid(request, visit, "add-person", "kind", "Choose who the supporter is.")
    circles = visit.services.circles
    if kind == "organisation":
        outcome = await circles.add_supporter(
            visit.principal,
            member_id,
            Relation.ORGANISATION,
            organisation_id=_text(form, "organisation_id"),
        )
        return await _done_or_errors(request, visit, outcome, "add-organisation", "added")
    relation = _text(form, "relation")
    if relation not in Relation.__members__ or relation == Relation.ORGANISATION.value:
        return await _invalid(
            request, visit, f"add-{kind}", "relation", "Choose what they are to the member."
        )
    if kind == "person":
        outcome = await circles.add_supporter(
            visit.principal, member_id, Relation(relation), person_name=_text(form, "person_name")
        )
        return await _done_or_errors(request, visit, outcome, "add-person", "added")
    outcome = await circles.add_supporter(
        visit.principal,
        member_id,
        Relation(relation),
        supporter_member_id=_text(form, "supporter_member_id"),
    )
    return await _done_or_errors(request, visit, outcome, "add-member", "invited")


@page(Role.COORDINATOR)
async def end_tie(request: Request, visit: Visit) -> Response:
    """End one tie of the circle (its history stays)."""
    outcome = await visit.services.circles.end(visit.principal, request.path_params["tie_id"])
    return await _done_or_errors(request, visit, outcome, "circle", "ended")


@page(Role.COORDINATOR)
async def set_status(request: Request, visit: Visit) -> Response:
    """Make the member active, paused or left."""
    status = _text(await request.form(), "status")
    if status not in MemberStatus.__members__:
        return await _invalid(request, visit, "status", "status", "Choose a status.")
    outcome = await visit.services.members.set_status(
        visit.principal, request.path_params["member_id"], MemberStatus(status)
    )
    return await _done_or_errors(request, visit, outcome, "status", "status")


@page(Role.COORDINATOR)
async def record_help(request: Request, visit: Visit) -> Response:
    """Record help this member gave to or received from another member."""
    member_id = request.path_params["member_id"]
    form = await request.form()
    other, direction, kind = (
        _text(form, "other_member_id"),
        _text(form, "direction"),
        _text(form, "kind"),
    )
    if not other:
        return await _invalid(request, visit, "help", "other_member_id", "Choose the other member.")
    if direction not in ("gave", "received"):
        return await _invalid(request, visit, "help", "direction", "Choose who helped whom.")
    if kind not in HelpKind.__members__:
        return await _invalid(request, visit, "help", "kind", "Choose the kind of help.")
    try:
        on = date.fromisoformat(_text(form, "on"))
    except ValueError:
        return await _invalid(
            request, visit, "help", "on", "Give the date, for example 2026-03-01."
        )
    giver, receiver = (member_id, other) if direction == "gave" else (other, member_id)
    outcome = await visit.services.help.record(visit.principal, giver, receiver, on, HelpKind(kind))
    return await _done_or_errors(request, visit, outcome, "help", "help")


@page(Role.COORDINATOR)
async def member_link(request: Request, visit: Visit) -> Response:
    """A sign-in link for this member, as an address and a QR code to print."""
    member_id = request.path_params["member_id"]
    outcome = await visit.services.signin.create_link(
        visit.principal, Role.MEMBER, member_id=member_id
    )
    if outcome.value is None:
        return _no_such_member(request)
    member = (await visit.services.members.by_ids([member_id]))[member_id]
    return link_page(request, visit, outcome.value, member.display_name, f"/members/{member_id}")


@page(Role.COORDINATOR)
async def end_sessions(request: Request, visit: Visit) -> Response:
    """Sign the member out everywhere."""
    member_id = request.path_params["member_id"]
    await visit.services.signin.end_member_sessions(visit.principal, member_id)
    return RedirectResponse(f"/members/{member_id}?done=sessions#access", status_code=303)
