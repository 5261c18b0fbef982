"""Hardening at the HTTP layer: the middleware stack (rate and size limits, malformed bodies,
timeouts, security headers, masked unexpected errors, CORS). Rate limits are in ``ratelimit``,
body checks in ``bodies``, the GraphQL document limits in ``graphql_limits``."""

from __future__ import annotations

import asyncio
import logging

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph_service.auth import Authenticator
from graph_service.bodies import BodySizeLimitMiddleware, MalformedBodyMiddleware, TooLargePage
from graph_service.http_errors import send_error, send_unexpected
from graph_service.ratelimit import RateLimitMiddleware
from graph_service.settings import Settings

log = logging.getLogger(__name__)

STRICT_CSP = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=63072000; includeSubDomains"


class RequestTimeoutMiddleware:
    """504 with a JSON body when a request has not begun its answer within the time allowed."""

    def __init__(self, app: ASGIApp, *, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request under a deadline."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        deadline = asyncio.timeout(self.seconds)

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                # The answer is on its way: cutting it off now would only corrupt it.
                deadline.reschedule(None)
            await send(message)

        try:
            async with deadline:
                await self.app(scope, receive, watching_send)
        except TimeoutError:
            if started or not deadline.expired():
                raise
            log.warning("request timed out", extra={"path": scope["path"]})
            message = f"The request did not complete within {self.seconds:g} s"
            await send_error(send, 504, message, "TIMEOUT")


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": STRICT_CSP,
    # GraphQL answers carry health data: no cache, shared or private, may keep them.
    "Cache-Control": "no-store",
}


class SecurityHeadersMiddleware:
    """Security headers on every response, a JSON 500 included; a response's own CSP is kept."""

    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        headers = dict(SECURITY_HEADERS)
        if production:  # only production is served over HTTPS (behind its proxy)
            headers["Strict-Transport-Security"] = HSTS
        # As ASGI sends them, encoded once: this runs on every response.
        self.raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers a response does not set itself."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", ()))
                own = {name.lower() for name, _ in headers}
                headers += [header for header in self.raw if header[0] not in own]
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as error:
            # Here rather than in Starlette's outermost handler, whose 500 is plain text
            # without these headers or the request id to quote.
            if started:
                raise
            await send_unexpected(send_with_headers, error, scope["path"])


def hardening_middleware(
    settings: Settings,
    authenticator: Authenticator | None = None,
    too_large_page: TooLargePage | None = None,
) -> list[Middleware]:
    """The hardening middleware for these settings, outermost first."""
    stack = [Middleware(SecurityHeadersMiddleware, production=not settings.development)]
    if settings.cors_origins:  # closed unless configured: no header means browsers refuse
        stack.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["POST"],
                allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
                expose_headers=["X-Request-ID", "X-Client-Request-ID", "Retry-After"],
                max_age=600,
            )
        )
    return [
        *stack,
        Middleware(
            RateLimitMiddleware,
            per_token=settings.rate_limit_per_minute,
            per_ip=settings.ip_rate_limit_per_minute,
            authenticator=authenticator or Authenticator.from_settings(settings),
        ),
        Middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes, page=too_large_page),
        Middleware(RequestTimeoutMiddleware, seconds=settings.request_timeout),
        Middleware(MalformedBodyMiddleware, path="/graphql"),
    ]
