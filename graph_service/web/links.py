"""Sign-in links made on the web: for a member (from their page) or a college user."""

from __future__ import annotations

import segno
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from graph_service.auth import Role
from graph_service.services.signin import SigninLink
from graph_service.web.session import Visit, page
from graph_service.web.templating import render


def signin_url(base_url: str, link: SigninLink) -> str:
    """The address that signs someone in with this link."""
    return f"{base_url}/signin/{link.secret}"


def qr_code(url: str) -> Markup:
    """The address as a QR code, drawn as SVG (for members without email: print or show it)."""
    code = segno.make(url, error="m")
    # segno writes the SVG itself from the address alone; nothing of it comes from a person.
    svg = code.svg_inline(scale=5, border=4, title="QR code of the sign-in link", svgclass="qr")
    labelled = svg.replace("<svg ", '<svg role="img" aria-label="QR code of the sign-in link" ', 1)
    return Markup(labelled)  # noqa: S704


def link_page(request: Request, visit: Visit, link: SigninLink, name: str, back: str) -> Response:
    """The page that shows a new link once, as an address and a QR code."""
    url = signin_url(visit.settings.base_url, link)
    response = render(
        request,
        "link.html",
        {
            "visit": visit,
            "link": link,
            "name": name,
            "url": url,
            "qr": qr_code(url),
            "back": back,
            "minutes": visit.settings.signin_link_minutes,
        },
    )
    return response


@page(Role.COORDINATOR)
async def links(request: Request, visit: Visit) -> Response:
    """Make a sign-in link for a college user (members' links are made on their pages)."""
    colleges = await visit.services.colleges.colleges(visit.principal)
    error = None
    if request.method == "POST":
        form = await request.form()
        college_id = form.get("college_id")
        outcome = await visit.services.signin.create_link(
            visit.principal,
            Role.COLLEGE,
            college_id=college_id if isinstance(college_id, str) else "",
        )
        if outcome.value is not None:
            name = next(c.name for c in colleges if c.id == college_id)
            return link_page(request, visit, outcome.value, name, "/links")
        error = "Choose one of the partner colleges."
    return render(
        request,
        "links.html",
        {
            "visit": visit,
            "colleges": colleges,
            "error": error,
            "minutes": visit.settings.signin_link_minutes,
        },
        400 if error else 200,
    )
