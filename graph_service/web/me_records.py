"""What is on record about a member: who has looked at their data, and a copy of all of it."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response

from graph_service.auth import Role
from graph_service.errors import InvalidInput
from graph_service.services.validation import today
from graph_service.web.me_forms import me
from graph_service.web.me_words import log_lines
from graph_service.web.session import Visit, page
from graph_service.web.templating import problem, render

PER_PAGE = 50


def _page_number(request: Request) -> int:
    value = request.query_params.get("page", "1")
    if not value.isdigit() or len(value) > 6 or int(value) < 1:
        raise InvalidInput("page must be a whole number from 1")
    return int(value)


@page(Role.MEMBER)
async def looked(request: Request, visit: Visit) -> Response:
    """The member's access log, newest first, in words."""
    number = _page_number(request)
    found = await visit.services.audit.access_log(
        visit.principal, me(visit), offset=(number - 1) * PER_PAGE, limit=PER_PAGE
    )
    pages = max(1, -(-found.total // PER_PAGE))
    return render(
        request,
        "me_looked.html",
        {
            "visit": visit,
            "lines": log_lines(found.items, visit.principal.member_global_id),
            "number": number,
            "pages": pages,
            "total": found.total,
        },
    )


@page(Role.MEMBER)
async def data(request: Request, visit: Visit) -> Response:
    """What the copy of the member's data holds, and the button to download it."""
    return render(request, "me_data.html", {"visit": visit})


@page(Role.MEMBER)
async def export(request: Request, visit: Visit) -> Response:
    """Everything held about the member, as a JSON file to keep."""
    document = await visit.services.privacy.export(visit.principal)
    if document is None:
        return problem(
            request, 404, "Your membership was not found", "A coordinator can help.", home="/me"
        )
    body = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    name = f"my-data-{today().isoformat()}.json"
    return Response(
        body,
        media_type="application/json; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            # Health data: no cache, shared or private, may keep it.
            "Cache-Control": "no-store",
        },
    )
