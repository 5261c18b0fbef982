"""Signing in with a one-time link, and signing out."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from graph_service.auth import Role
from graph_service.security_events import SecurityEventKind
from graph_service.services import Services
from graph_service.settings import Settings
from graph_service.web.session import (
    HOME,
    Visit,
    clear_session_cookie,
    cookie_name,
    note_refusal,
    page,
    set_session_cookie,
)
from graph_service.web.templating import problem, render


async def redeem(request: Request) -> Response:
    """Open a session with a sign-in link, then go to the person's start page."""
    services: Services = request.app.state.services
    settings: Settings = request.app.state.settings
    opened = await services.signin.redeem(request.path_params["secret"])
    if opened is None:
        note_refusal(request, SecurityEventKind.UNAUTHENTICATED, "sign-in link not valid")
        return problem(
            request,
            400,
            "This sign-in link cannot be used",
            "Each link works once, for 15 minutes. This one has been used already, has "
            "expired, or was copied incompletely. Ask a coordinator for a new link.",
        )
    session = opened.session
    response = RedirectResponse(HOME[session.principal.role], status_code=303)
    lifetime = session.expires_at - services.signin.now()
    set_session_cookie(response, settings, opened.secret, round(lifetime.total_seconds()))
    # The link's secret must not travel on as a Referer to whatever the page links to.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@page(Role.COORDINATOR, Role.MEMBER, Role.COLLEGE)
async def sign_out(request: Request, visit: Visit) -> Response:
    """End this browser's session."""
    secret = request.cookies.get(cookie_name(visit.settings), "")
    await visit.services.signin.sign_out(secret)
    response = RedirectResponse("/signed-out", status_code=303)
    clear_session_cookie(response, visit.settings)
    return response


async def signed_out(request: Request) -> Response:
    """The page after signing out."""
    return render(request, "signed_out.html", {})
