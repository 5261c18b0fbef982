"""A college's pages: its courses, the enrolments of consenting members, and CSV uploads.

Every page calls the services with the signed-in college's principal, as the API's resolvers
do: the same consent checks, the same userErrors, the same audit events. Another college's
course looks exactly like one that does not exist (404), and so does an enrolment of a member
who no longer shares with the college.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from graph_service.auth import Role
from graph_service.domain import EnrolmentStatus, ErrorCode, UserError
from graph_service.errors import PermissionDenied
from graph_service.ids import from_global_id, to_global_id
from graph_service.security_events import SecurityEventKind
from graph_service.services.college_view import (
    CourseEnrolments,
    college_courses,
    course_enrolments,
)
from graph_service.services.validation import today
from graph_service.web import college_upload, college_words
from graph_service.web.session import Visit, note_refusal, page
from graph_service.web.templating import problem, render

DONE: Final = {
    "linked": "The member has been linked to this course.",
    "updated": "The enrolment has been saved.",
}


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _no_such_course(request: Request) -> Response:
    # The same words for a course that does not exist and another college's course.
    return problem(
        request,
        404,
        "No such course",
        "This course does not exist, or it is not one of your college's courses.",
        home="/college",
    )


def _no_such_enrolment(request: Request) -> Response:
    # Also for an enrolment of a member who has stopped sharing with the college.
    return problem(
        request,
        404,
        "No such enrolment",
        "This enrolment does not exist, or the member no longer shares it with your college.",
        home="/college",
    )


@page(Role.COLLEGE)
async def courses(request: Request, visit: Visit) -> Response:
    """The college's courses, each with how many consenting members are enrolled."""
    found = await college_courses(visit.services, visit.principal)
    return render(
        request, "college_courses.html", {"visit": visit, "found": found, "cw": college_words}
    )


async def _course(request: Request, visit: Visit) -> CourseEnrolments | None:
    """The course of the address with its enrolments; None when the college may not see it."""
    try:
        return await course_enrolments(
            visit.services, visit.principal, request.path_params["course_id"]
        )
    except PermissionDenied as refused:
        # Counted like any refusal, but answered as if the course did not exist.
        note_refusal(request, SecurityEventKind.FORBIDDEN, str(refused), visit.principal)
        return None


async def _show(
    request: Request,
    visit: Visit,
    view: CourseEnrolments,
    *,
    failed: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    form = dict((await request.form()).items()) if request.method == "POST" else {}
    return render(
        request,
        "college_course.html",
        {
            "visit": visit,
            "course": view.course,
            "course_gid": to_global_id("Course", view.course.id),
            "enrolments": [(e, to_global_id("Member", e.member_id)) for e in view.enrolments],
            "done": DONE.get(request.query_params.get("done", "")),
            "failed": failed,
            "errors": errors or {},
            "form": form,
            "today": today().isoformat(),
            "cw": college_words,
        },
        status_code,
    )


@page(Role.COLLEGE)
async def course(request: Request, visit: Visit) -> Response:
    """One course: its consenting members' enrolments, and the forms to link and update."""
    view = await _course(request, visit)
    if view is None:
        return _no_such_course(request)
    return await _show(request, visit, view)


def _date(form: FormData, name: str) -> date | None:
    """The date of a date field; None when empty; ValueError when it is not a date."""
    value = _text(form, name)
    return date.fromisoformat(value) if value else None


@page(Role.COLLEGE)
async def link(request: Request, visit: Visit) -> Response:
    """Link a consenting member to this course by the id the member gave the college."""
    view = await _course(request, visit)
    if view is None:
        return _no_such_course(request)
    form = await request.form()
    member = _text(form, "member_id")
    errors: dict[str, str] = {}
    try:
        enrolled_on = _date(form, "enrolled_on")
    except ValueError:
        enrolled_on = None
    if enrolled_on is None:
        errors["enrolled_on"] = "Give the date they enrolled, for example 2026-09-14."
    member_id = None
    if not member:
        errors["member_id"] = "Give the member's id."
    else:
        try:
            member_id = from_global_id(member, "Member")
        except ValueError:
            errors["member_id"] = college_words.NOT_AN_ID
    if errors or member_id is None or enrolled_on is None:
        return await _show(request, visit, view, failed="link", errors=errors, status_code=400)
    outcome = await visit.services.enrolments.link(
        visit.principal, member_id, view.course.id, enrolled_on
    )
    if outcome.errors:
        errors = college_words.form_errors(outcome.errors)
        return await _show(request, visit, view, failed="link", errors=errors, status_code=400)
    return RedirectResponse(
        f"/college/courses/{view.course.id}?done=linked#enrolments", status_code=303
    )


@page(Role.COLLEGE)
async def update(request: Request, visit: Visit) -> Response:
    """Change an enrolment's status and its date completed."""
    view = await _course(request, visit)
    if view is None:
        return _no_such_course(request)
    enrolment_id = request.path_params["enrolment_id"]
    # Only the enrolments this page shows: consenting members', on this course.
    if enrolment_id not in {e.id for e in view.enrolments}:
        return _no_such_enrolment(request)
    form = await request.form()
    failed = f"enrolment-{enrolment_id}"
    status = _text(form, "status")
    if status not in EnrolmentStatus.__members__:
        errors = {"status": "Choose where the enrolment stands."}
        return await _show(request, visit, view, failed=failed, errors=errors, status_code=400)
    try:
        completed_on = _date(form, "completed_on")
    except ValueError:
        errors = {
            "completed_on": "Give the date completed, for example 2026-12-12, or leave it empty."
        }
        return await _show(request, visit, view, failed=failed, errors=errors, status_code=400)
    outcome = await visit.services.enrolments.update(
        visit.principal, enrolment_id, EnrolmentStatus(status), completed_on
    )
    if _gone(outcome.errors):
        return _no_such_enrolment(request)  # the member stopped sharing a moment ago
    if outcome.errors:
        errors = college_words.form_errors(outcome.errors)
        return await _show(request, visit, view, failed=failed, errors=errors, status_code=400)
    return RedirectResponse(
        f"/college/courses/{view.course.id}?done=updated#{failed}", status_code=303
    )


def _gone(errors: list[UserError]) -> bool:
    return any(e.code is ErrorCode.NOT_FOUND and e.field == "id" for e in errors)


ROUTES: list[BaseRoute] = [
    Route("/college", courses, methods=["GET"]),
    Route("/college/courses/{course_id}", course, methods=["GET"]),
    Route("/college/courses/{course_id}/enrolments", link, methods=["POST"]),
    Route("/college/courses/{course_id}/enrolments/{enrolment_id}", update, methods=["POST"]),
    *college_upload.ROUTES,
]
