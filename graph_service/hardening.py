"""Hardening at the HTTP layer: rate and size limits, malformed bodies, timeouts, security
headers, masked unexpected errors, CORS. The GraphQL document limits are in ``graphql_limits``."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph_service.auth import Authenticator
from graph_service.errors import AuthenticationError
from graph_service.logs import request_id_var
from graph_service.settings import Settings

log = logging.getLogger(__name__)

STRICT_CSP = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=63072000; includeSubDomains"
# Probes from the orchestrator must never be throttled into a restart.
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz"})
MAX_TRACKED_KEYS = 10_000


async def send_error(
    send: Send, status: int, message: str, code: str, headers: Mapping[str, str] | None = None
) -> None:
    """Answer with a GraphQL-shaped JSON error carrying the request id to quote."""
    body = json.dumps(
        {
            "data": None,
            "errors": [
                {
                    "message": message,
                    "extensions": {"code": code, "requestId": request_id_var.get()},
                }
            ],
        }
    ).encode()
    raw = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *((name.lower().encode(), value.encode()) for name, value in (headers or {}).items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class RateLimiter:
    """Token buckets per key: a minute's quota may be spent at once, then refills steadily."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        # key -> (tokens, when counted); kept least recently used first.
        self._buckets: dict[str, tuple[float, float]] = {}

    def _level(self, key: str, now: float) -> float:
        tokens, counted = self._buckets.get(key, (self.capacity, now))
        return min(self.capacity, tokens + (now - counted) * self.rate)

    def wait(self, key: str, now: float) -> float:
        """Seconds until this key may make a request (0: at once)."""
        level = self._level(key, now)
        return 0.0 if level >= 1 else (1 - level) / self.rate

    def take(self, key: str, now: float) -> None:
        """Count one request for this key."""
        level = self._level(key, now)
        self._buckets.pop(key, None)
        self._buckets[key] = (level - 1, now)
        if len(self._buckets) > MAX_TRACKED_KEYS:
            self._forget(now)

    def _forget(self, now: float) -> None:
        # A full bucket is the same as none; past that, the least recently used go first,
        # down to half, so that memory stays bounded and this runs rarely.
        for key in [k for k in self._buckets if self._level(k, now) >= self.capacity]:
            del self._buckets[key]
        for key in list(self._buckets)[: max(0, len(self._buckets) - MAX_TRACKED_KEYS // 2)]:
            del self._buckets[key]


class RateLimitMiddleware:
    """429 with Retry-After past the per-caller or per-IP rate (counted in this process)."""

    # The buckets live in memory: with several replicas each counts on its own, so the
    # effective limit is the setting times the replicas a balancer spreads a caller over.

    def __init__(
        self, app: ASGIApp, *, per_token: int, per_ip: int, authenticator: Authenticator
    ) -> None:
        self.app = app
        self.per_token = RateLimiter(per_token) if per_token else None
        self.per_ip = RateLimiter(per_ip) if per_ip else None
        self.authenticator = authenticator

    def caller(self, authorization: str, client: str) -> str:
        """The bucket of a request with this Authorization header: whom it verifies as."""
        # Keyed on the verified principal, not the header's text: `bearer`, `BEARER` or a
        # re-issued token of the same person would otherwise each start a fresh budget.
        try:
            principal = self.authenticator.authenticate(authorization)
        except AuthenticationError:
            return f"unverified:{client}"  # garbage tokens cannot buy fresh buckets
        who = principal.member_id or principal.college_id or principal.subject
        return f"{principal.role.value}:{who}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the request (or WebSocket handshake), or refuse it."""
        if scope["type"] not in ("http", "websocket") or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        # uvicorn puts the X-Forwarded-For client here for trusted proxies only
        # (FORWARDED_ALLOW_IPS), so a caller cannot pick its own address.
        address = scope.get("client")
        client = address[0] if address else "unknown"
        checks: list[tuple[RateLimiter, str]] = []
        if self.per_ip:
            checks.append((self.per_ip, client))
        authorization = Headers(scope=scope).get("authorization")
        if self.per_token and authorization:
            checks.append((self.per_token, self.caller(authorization, client)))
        now = time.monotonic()
        wait = max((limiter.wait(key, now) for limiter, key in checks), default=0.0)
        if wait > 0 and scope["type"] == "websocket":
            # Refused before it is accepted: the server answers the handshake with a 403.
            await send({"type": "websocket.close", "code": 1008})
            return
        if wait > 0:
            retry = str(math.ceil(wait))
            message = f"Too many requests: retry in {retry} s"
            await send_error(send, 429, message, "RATE_LIMITED", {"Retry-After": retry})
            return
        for limiter, key in checks:
            limiter.take(key, now)
        await self.app(scope, receive, send)


class _BodyTooLarge(Exception):
    """The request body went past the limit while it was read."""


class BodySizeLimitMiddleware:
    """413 for a request body over the limit, declared or streamed (chunked)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("path") != "/graphql":
            # A page's form (a college's CSV upload): a page in words, not JSON.
            from starlette.requests import Request

            from graph_service.web.templating import problem

            page = problem(
                Request(scope),
                413,
                "That is too much to send",
                f"A form, with any file in it, can be at most {self.max_bytes // 1024} KB. "
                "If you were uploading a file, split it into smaller files and upload them "
                "one by one. Nothing has been written.",
            )
            await page(scope, receive, send)
            return
        message = f"The request body is larger than {self.max_bytes} bytes"
        await send_error(send, 413, message, "PAYLOAD_TOO_LARGE")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse early on Content-Length; count what is read for the rest."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except _BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)


_MEMBERS = {"query": str, "operationName": str, "variables": dict, "extensions": dict}


# Where MalformedBodyMiddleware leaves the request it read, so that it is decoded only once.
GRAPHQL_REQUEST = "graphql_request"


def read_graphql_request(body: bytes) -> dict[str, Any] | str:
    """The GraphQL request in a body, or why the body is none (a JSON object strawberry takes)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        return "The request body is not UTF-8"
    except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
        return "The request body is not valid JSON"
    if isinstance(data, list):
        return "Batching is not enabled: send one operation as a JSON object"
    if not isinstance(data, dict):
        return 'The request body must be a JSON object such as {"query": "{ me { role } }"}'
    for name, kind in _MEMBERS.items():
        if data.get(name) is not None and not isinstance(data[name], kind):
            return f"{name!r} must be {'a string' if kind is str else 'an object'} or null"
    if not data.get("query"):
        return "The request has no 'query'"
    return data


class MalformedBodyMiddleware:
    """400 with a GraphQL-shaped JSON body for a JSON POST to a path that is no operation."""

    # Before strawberry, which answers such bodies with a 500 (a string, a number, null,
    # bytes that are not UTF-8) or a text/plain 400 without the request id. It then reads
    # the same bytes again from `replayed`.

    def __init__(self, app: ASGIApp, *, path: str) -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Read and check the body of a JSON POST to the GraphQL path; pass the rest on."""
        if not self._applies(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away: nobody to answer
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        request = read_graphql_request(body)
        if isinstance(request, str):
            await send_error(send, 400, request, "BAD_REQUEST")
            return
        scope.setdefault("state", {})[GRAPHQL_REQUEST] = request
        pending = [body]

        async def replayed() -> Message:
            if pending:
                return {"type": "http.request", "body": pending.pop(), "more_body": False}
            return await receive()  # then wait on the client as before (a disconnect)

        await self.app(scope, replayed, send)

    def _applies(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            return False
        media_type = Headers(scope=scope).get("content-type", "").partition(";")[0]
        # Other media types are refused by the view with a 415 of its own.
        return media_type.strip().lower() == "application/json"


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


async def send_unexpected(send: Send, error: BaseException, path: str) -> None:
    """Log an unhandled exception with its traceback, and answer a masked JSON 500."""
    log.error(
        "unexpected error in %s",
        path,
        exc_info=(type(error), error, error.__traceback__),
        extra={"request_id": request_id_var.get()},
    )
    await send_error(send, 500, "Unexpected error", "INTERNAL_SERVER_ERROR")


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
    settings: Settings, authenticator: Authenticator | None = None
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
        Middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes),
        Middleware(RequestTimeoutMiddleware, seconds=settings.request_timeout),
        Middleware(MalformedBodyMiddleware, path="/graphql"),
    ]
