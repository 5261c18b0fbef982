"""Who is signed in to a page: the session cookie, CSRF checks, and the page wrapper.

Cookies authorise pages only, and bearer tokens only /graphql. Every form carries the
session's own random token (the synchronizer-token pattern), compared in constant time; a
post whose Origin names another site is refused before that.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from graph_service.auth import Principal, Role
from graph_service.errors import GraphUnavailable, InvalidInput, PermissionDenied
from graph_service.security_events import SecurityEventKind
from graph_service.services import Services, deadline
from graph_service.services.signin import WebSession
from graph_service.settings import Settings
from graph_service.web.templating import problem

log = logging.getLogger(__name__)

CSRF_FIELD = "csrf_token"
# Where each kind of user starts after signing in, and where the site's name takes them.
HOME = {Role.COORDINATOR: "/", Role.MEMBER: "/me", Role.COLLEGE: "/college"}
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Visit:
    """The signed-in person on this request, and what a page needs to serve them."""

    principal: Principal
    csrf: str
    services: Services
    settings: Settings


Page = Callable[[Request, Visit], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def cookie_name(settings: Settings) -> str:
    """The session cookie's name: ``__Host-`` in production, so only this host over HTTPS."""
    return "__Host-session" if not settings.development else "session"


def set_session_cookie(response: Response, settings: Settings, secret: str, max_age: int) -> None:
    """Hand the browser its session: HttpOnly, SameSite=Lax, Secure in production."""
    response.set_cookie(
        cookie_name(settings),
        secret,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=not settings.development,
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    """Make the browser forget its session."""
    response.delete_cookie(
        cookie_name(settings),
        path="/",
        httponly=True,
        samesite="lax",
        secure=not settings.development,
    )


async def current_session(request: Request) -> WebSession | None:
    """The live session the request's cookie names, if any."""
    settings: Settings = request.app.state.settings
    secret = request.cookies.get(cookie_name(settings))
    if not secret:
        return None
    services: Services = request.app.state.services
    return await services.signin.session(secret)


def note_refusal(
    request: Request, kind: SecurityEventKind, why: str, principal: Principal | None = None
) -> None:
    """Count a refused page as a security event: the route's pattern, never its values."""
    # Counted in memory (no I/O, never raises): a refusal stays as fast as before.
    route = getattr(request.scope.get("route"), "path", None) or "unknown route"
    services: Services = request.app.state.services
    services.security.note(
        kind,
        f"page {request.method} {route}: {why}",
        principal=principal,
        client=request.client.host if request.client else None,
    )


def _same_origin(request: Request) -> bool:
    # Defence in depth before the token: browsers say where a request comes from. Pages send
    # no referrer, so Chromium sends "Origin: null" even for their own forms: a null or
    # missing Origin (an old browser, a tool) leaves the decision to the token alone.
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")


async def _csrf_ok(request: Request, session: WebSession) -> bool:
    if not _same_origin(request):
        return False
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    return isinstance(sent, str) and secrets.compare_digest(sent, session.csrf)


def page(*roles: Role) -> Callable[[Page], Endpoint]:
    """Make a page for signed-in people with one of these roles."""

    def decorate(handler: Page) -> Endpoint:
        @wraps(handler)
        async def endpoint(request: Request) -> Response:
            started = time.perf_counter()
            response = await _guarded(request, handler, roles)
            # What the page cost the server, for the browser's developer tools and bench/.
            elapsed = (time.perf_counter() - started) * 1000
            response.headers["Server-Timing"] = f"page;dur={elapsed:.1f}"
            return response

        return endpoint

    return decorate


async def _guarded(request: Request, handler: Page, roles: tuple[Role, ...]) -> Response:
    """The page, or a calm error page when the graph or the page fails."""
    try:
        # One deadline for all the graph work of the page, retries included.
        with deadline(request.app.state.settings.query_timeout):
            return await _serve(request, handler, roles)
    except GraphUnavailable:
        log.warning("graph unavailable for a page", extra={"path": request.url.path})
        return problem(
            request,
            503,
            "The service is not available just now",
            "Please try again in a minute. Nothing you did has been lost.",
            headers={"Retry-After": "30"},
        )
    except Exception:
        # Masked like the API's unexpected errors: the request id finds the log line.
        log.exception("page failed", extra={"path": request.url.path})
        return problem(
            request,
            500,
            "Something went wrong",
            "This is our fault, not yours. Please try again; if it keeps happening, "
            "tell the team and quote the reference below.",
        )


async def _serve(request: Request, handler: Page, roles: tuple[Role, ...]) -> Response:
    session = await current_session(request)
    if session is None:
        note_refusal(request, SecurityEventKind.UNAUTHENTICATED, "not signed in")
        return problem(
            request,
            401,
            "Please sign in",
            "To see this page you need to sign in with a link from a coordinator. "
            "If your link has expired, ask for a new one.",
        )
    if session.principal.role not in roles:
        note_refusal(request, SecurityEventKind.FORBIDDEN, "not for this role", session.principal)
        return problem(
            request,
            403,
            "This page is not for you",
            "Your account cannot see this page.",
            home=HOME[session.principal.role],
        )
    if request.method in UNSAFE_METHODS and not await _csrf_ok(request, session):
        note_refusal(request, SecurityEventKind.FORBIDDEN, "form check failed", session.principal)
        return problem(
            request,
            403,
            "That form could not be sent",
            "The form was out of date or came from another site. Go back, reload the page "
            "and try again.",
            home=HOME[session.principal.role],
        )
    services: Services = request.app.state.services
    visit = Visit(session.principal, session.csrf, services, request.app.state.settings)

    async def respond() -> Response:
        services.audit.collect_reads()
        response = await handler(request, visit)
        # A coordinator's reads are on the record before anything is shown.
        await services.audit.flush_reads()
        return response

    try:
        if request.method in UNSAFE_METHODS:
            # A form's writes and their audit events commit together, or not at all.
            return await services.atomically(respond)
        return await respond()
    except PermissionDenied as refused:
        note_refusal(request, SecurityEventKind.FORBIDDEN, str(refused), session.principal)
        return problem(
            request,
            403,
            "Not allowed",
            "Your account may not see or change this.",
            home=HOME[session.principal.role],
        )
    except InvalidInput as exc:
        return problem(
            request,
            400,
            "Something in the address is wrong",
            str(exc),
            home=HOME[session.principal.role],
        )
