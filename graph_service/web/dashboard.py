"""The coordinators' pages: the dashboard with its worklist, the CSV export, supporter load,
fragile circles and finding a member."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from graph_service.auth import Role
from graph_service.domain import MemberStatus
from graph_service.errors import InvalidInput
from graph_service.services import dashboard
from graph_service.services.worklist import (
    ALL_STATUSES,
    SORTS,
    WorklistQuery,
    worklist,
    worklist_csv,
)
from graph_service.web.network import network_picture
from graph_service.web.session import HOME, Visit, page
from graph_service.web.templating import render

SEARCH_PAGE = 50


def _number(request: Request, name: str, default: int) -> int:
    value = request.query_params.get(name)
    if value is None or value == "":
        return default
    if not value.isdigit() or len(value) > 6:
        raise InvalidInput(f"{name} must be a whole number")
    return int(value)


def worklist_query(request: Request) -> WorklistQuery:
    """The worklist view the address asks for."""
    params = request.query_params
    return WorklistQuery(
        reason=params.get("reason") or None,
        status=params.get("status") or MemberStatus.ACTIVE.value,
        sort=params.get("sort") or "reasons",
        page=_number(request, "page", 1),
    ).checked()


def view_link(query: WorklistQuery, **changes: object) -> str:
    """The address of the worklist with some of its settings changed."""
    values: dict[str, object] = {
        "reason": query.reason or "",
        "status": query.status,
        "sort": query.sort,
        "page": query.page,
    }
    values.update(changes)
    return "?" + urlencode({k: v for k, v in values.items() if v not in ("", None)})


@page(Role.COORDINATOR)
async def home(request: Request, visit: Visit) -> Response:
    """The dashboard: figures, the isolation worklist and the network picture."""
    query = worklist_query(request)
    # Side by side: after a write, one reloads the projection and the others wait for it,
    # then the names, the layout and the worklist's members are fetched at the same time.
    found, figures, picture = await asyncio.gather(
        worklist(visit.services, visit.principal, query),
        dashboard.figures(visit.services, visit.principal),
        network_picture(visit.services, visit.principal),
    )
    return render(
        request,
        "dashboard.html",
        {
            "visit": visit,
            "worklist": found,
            "figures": figures,
            "picture": picture,
            "statuses": [*MemberStatus.__members__, ALL_STATUSES],
            "sorts": SORTS,
            "view_link": view_link,
        },
    )


@page(Role.COORDINATOR)
async def worklist_export(request: Request, visit: Visit) -> Response:
    """The worklist as it is filtered and sorted, every page, as a CSV file."""
    text = await worklist_csv(visit.services, visit.principal, worklist_query(request))
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="isolation-worklist.csv"'},
    )


@page(Role.COORDINATOR)
async def load_view(request: Request, visit: Visit) -> Response:
    """People who support many members."""
    at_least = _number(request, "at_least", 4)
    if not 1 <= at_least <= 1000:
        raise InvalidInput("at_least must be between 1 and 1000")
    found = await dashboard.load(visit.services, visit.principal, min_supported=at_least)
    return render(request, "load.html", {"visit": visit, "rows": found, "at_least": at_least})


@page(Role.COORDINATOR)
async def fragile_view(request: Request, visit: Visit) -> Response:
    """Circles resting on one person, and members the network hangs on."""
    found = await dashboard.fragile(visit.services, visit.principal)
    return render(request, "fragile.html", {"visit": visit, "rows": found})


@page(Role.COORDINATOR)
async def find_member(request: Request, visit: Visit) -> Response:
    """Find members by name, to open their page."""
    search = request.query_params.get("q", "").strip()[:80]
    found = await visit.services.members.page(
        visit.principal,
        offset=0,
        limit=SEARCH_PAGE,
        status=None,
        search=search or None,
    )
    return render(request, "members.html", {"visit": visit, "search": search, "found": found})


@page(Role.COORDINATOR, Role.MEMBER, Role.COLLEGE)
async def welcome(request: Request, visit: Visit) -> Response:
    """The old landing page: kept so that saved bookmarks still lead home."""
    return RedirectResponse(HOME[visit.principal.role], status_code=303)
