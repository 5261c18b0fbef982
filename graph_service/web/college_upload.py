"""A college uploads an enrolment CSV: first a dry run, row by row, then it confirms.

Keeping the file between the check and the confirm: the check page sends the file's text back
in a hidden field of the confirm form, with an HMAC over its hash, the college, this session's
own secret (its CSRF token) and the time of the check. The confirm refuses a text that was
changed, a check made in another session or for another college, and one older than 30
minutes. We chose this over keeping the file on the server because the service is stateless
(replicas behind a load balancer, no local disk between requests) and keeps nothing: a file
of members' ids never waits in the graph or on a disk, and there is nothing to clean up. The
HMAC key comes from AUTH_SECRET; a deployment with only RS256 tokens has none, and then the
session's own secret alone binds the check to the session. Either way the importer checks
every row again when the college confirms (consent may have changed meanwhile).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from pathlib import PurePath
from typing import Any, Final

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from graph_service.auth import Role
from graph_service.ids import to_global_id
from graph_service.services.college_view import college_courses
from graph_service.services.enrolment_upload import (
    LoadError,
    RowOutcome,
    UploadReport,
    import_enrolment_file,
)
from graph_service.web import college_words
from graph_service.web.session import Visit, page
from graph_service.web.templating import render

UPLOAD_MINUTES: Final = 30
# Room in the request body for the multipart envelope and the form's other fields: the file
# and, on the confirm, its text must both fit under MAX_BODY_BYTES.
ENVELOPE: Final = 8 * 1024
CONFIRM_FIELDS: Final = 2 * 1024  # the confirm's fields besides the text, and its envelope
COUNTS: Final = ("written", "unchanged", "refused")


def upload_limit(visit: Visit) -> int:
    """The largest file a college may upload, in bytes."""
    return max(1024, visit.settings.max_body_bytes - ENVELOPE)


def _normalise(text: str) -> str:
    # Browsers send a form's text with CRLF line ends whatever the page held: compare and
    # import the text with LF only (the same lines, so the same line numbers).
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _signature(visit: Visit, issued: int, name: str, text: str) -> str:
    secret = visit.settings.auth_secret
    base = secret.get_secret_value().encode() if secret else b""
    key = hmac.new(base, b"college-upload\0" + visit.csrf.encode(), hashlib.sha256).digest()
    digest = hashlib.sha256(text.encode()).hexdigest()
    message = "\0".join([visit.principal.college_id or "", str(issued), name, digest])
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def _unusable(error: LoadError) -> str:
    # The CLI's own message, which names the file, the line and what to do.
    text = str(error)
    return f"This file cannot be used. {text}{'' if text.endswith('.') else '.'}"


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


async def _show(
    request: Request,
    visit: Visit,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    found = await college_courses(visit.services, visit.principal)
    done = None
    counts = [request.query_params.get(name, "") for name in COUNTS]
    if all(c.isdigit() and len(c) <= 6 for c in counts):
        done = dict(zip(COUNTS, map(int, counts), strict=True))
    return render(
        request,
        "college_upload.html",
        {
            "visit": visit,
            "courses": [(c.course, to_global_id("Course", c.course.id)) for c in found.courses],
            "limit_kb": upload_limit(visit) // 1024,
            "error": error,
            "done": done,
            "minutes": UPLOAD_MINUTES,
        },
        status_code,
    )


@page(Role.COLLEGE)
async def upload_page(request: Request, visit: Visit) -> Response:
    """The upload form, what the file must hold, and the result of the last import."""
    return await _show(request, visit)


def _too_big(visit: Visit, name: str) -> str:
    return (
        f"{name} is too big: a file can be at most {upload_limit(visit) // 1024} KB. "
        "Split it into smaller files, each with the header line, and upload them one by one."
    )


@page(Role.COLLEGE)
async def check(request: Request, visit: Visit) -> Response:
    """The dry run: every row of the file and what would happen to it; nothing is written."""
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _show(request, visit, error="Choose the CSV file to check.", status_code=400)
    name = PurePath(upload.filename.replace("\\", "/")).name[:80] or "The file"
    data = await upload.read()
    limit = upload_limit(visit)
    if len(data) > limit:
        return await _show(request, visit, error=_too_big(visit, name), status_code=413)
    try:
        text: str | None = _normalise(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        text = None  # the importer says where, in the CLI's words
    if text is not None:
        # The confirm sends the text back with CRLF line ends and a few short fields: that
        # must fit in a request too (a file of mostly empty lines might not).
        confirm_room = visit.settings.max_body_bytes - CONFIRM_FIELDS
        if len(text.replace("\n", "\r\n").encode()) > confirm_room:
            return await _show(request, visit, error=_too_big(visit, name), status_code=413)
        data = text.encode()
    try:
        report = await import_enrolment_file(
            visit.services, visit.principal, data, name, dry_run=True
        )
    except LoadError as unusable:
        return await _show(request, visit, error=_unusable(unusable), status_code=400)
    issued = int(time.time())
    return await _report(request, visit, report, name, text or "", issued)


async def _report(
    request: Request, visit: Visit, report: UploadReport, name: str, text: str, issued: int
) -> Response:
    found = await college_courses(visit.services, visit.principal)
    titles = {to_global_id("Course", c.course.id): c.course.title for c in found.courses}
    counts = {outcome: 0 for outcome in RowOutcome}
    for row in report.rows:
        counts[row.outcome] += 1
    context: dict[str, Any] = {
        "visit": visit,
        "report": report,
        "counts": {outcome.value: n for outcome, n in counts.items()},
        "titles": titles,
        "name": name,
        "text": text,
        "issued": issued,
        "signature": _signature(visit, issued, name, text),
        "minutes": UPLOAD_MINUTES,
        "cw": college_words,
    }
    return render(request, "college_upload_check.html", context)


@page(Role.COLLEGE)
async def confirm(request: Request, visit: Visit) -> Response:
    """Write the good rows of the file the college has just checked."""
    form = await request.form()
    name, issued = _field(form, "name"), _field(form, "issued")
    text = _normalise(_field(form, "text"))
    fresh = issued.isdigit() and 0 <= time.time() - int(issued) <= UPLOAD_MINUTES * 60
    sent = _field(form, "signature")
    if not fresh or not hmac.compare_digest(sent, _signature(visit, int(issued), name, text)):
        error = (
            f"That check is more than {UPLOAD_MINUTES} minutes old, or the file changed "
            "since it was checked. Nothing has been written: please upload the file again."
        )
        return await _show(request, visit, error=error, status_code=400)
    try:
        report = await import_enrolment_file(
            visit.services, visit.principal, text.encode(), name, dry_run=False
        )
    except LoadError as unusable:
        return await _show(request, visit, error=_unusable(unusable), status_code=400)
    result = report.result
    counts = f"written={result.written}&unchanged={result.unchanged}&refused={result.rejected_rows}"
    return RedirectResponse(f"/college/upload?{counts}#done", status_code=303)


ROUTES: list[BaseRoute] = [
    Route("/college/upload", upload_page, methods=["GET"]),
    Route("/college/upload", check, methods=["POST"]),
    Route("/college/upload/confirm", confirm, methods=["POST"]),
]
