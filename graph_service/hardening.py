"""Hardening: GraphQL limits, rate and size limits, timeouts, security headers, CORS."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import time
from collections.abc import Callable, Iterator, Mapping
from functools import partial

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

from graph_service.logs import request_id_var
from graph_service.settings import Settings

log = logging.getLogger(__name__)

STRICT_CSP = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=63072000; includeSubDomains"
# Probes from the orchestrator must never be throttled into a restart.
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz"})
MAX_TRACKED_KEYS = 10_000
SUGGESTION = " Did you mean "


class HideSuggestions(SchemaExtension):
    """Cut graphql-core's "Did you mean …?" hints, which would reveal the schema."""

    def on_operation(self) -> Iterator[None]:
        """Strip suggestions from every error of the finished operation."""
        yield
        # graphql-core always appends the hint at the end of a message (did_you_mean), in
        # validation and in variable coercion alike, so cutting there covers both.
        for error in getattr(self.execution_context.result, "errors", None) or ():
            error.message = error.message.split(SUGGESTION, 1)[0]


def graphql_limits(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """Depth, alias and token limits; no introspection and no suggestions in production."""
    # Factories, not instances: strawberry builds extensions afresh for each operation, so
    # that concurrent operations do not share one execution context.
    limits: list[Callable[[], SchemaExtension]] = [
        partial(MaxTokensLimiter, max_token_count=settings.graphql_max_tokens),
        partial(QueryDepthLimiter, max_depth=settings.graphql_max_depth),
        partial(MaxAliasesLimiter, max_alias_count=settings.graphql_max_aliases),
    ]
    if not settings.development:
        limits += [DisableIntrospection, HideSuggestions]
    return limits


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
    """429 with Retry-After past the per-token or per-IP rate (counted in this process)."""

    # The buckets live in memory: with several replicas each counts on its own, so the
    # effective limit is the setting times the replicas a balancer spreads a caller over.

    def __init__(self, app: ASGIApp, *, per_token: int, per_ip: int) -> None:
        self.app = app
        self.per_token = RateLimiter(per_token) if per_token else None
        self.per_ip = RateLimiter(per_ip) if per_ip else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the request, or refuse it."""
        if scope["type"] != "http" or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        checks: list[tuple[RateLimiter, str]] = []
        if self.per_ip:
            # uvicorn puts the X-Forwarded-For client here for trusted proxies only
            # (FORWARDED_ALLOW_IPS), so a caller cannot pick its own address.
            client = scope.get("client")
            checks.append((self.per_ip, client[0] if client else "unknown"))
        authorization = Headers(scope=scope).get("authorization")
        if self.per_token and authorization:
            # A digest, so that no token is kept in memory.
            checks.append((self.per_token, hashlib.sha256(authorization.encode()).hexdigest()))
        now = time.monotonic()
        wait = max((limiter.wait(key, now) for limiter, key in checks), default=0.0)
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

    async def _refuse(self, send: Send) -> None:
        message = f"The request body is larger than {self.max_bytes} bytes"
        await send_error(send, 413, message, "PAYLOAD_TOO_LARGE")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse early on Content-Length; count what is read for the rest."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
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
            await self._refuse(send)


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


class SecurityHeadersMiddleware:
    """Security headers on every response; a response's own CSP (GraphiQL's) is kept."""

    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        self.headers = {
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": STRICT_CSP,
            # GraphQL answers carry health data: no cache, shared or private, may keep them.
            "Cache-Control": "no-store",
        }
        if production:  # only production is served over HTTPS (behind its proxy)
            self.headers["Strict-Transport-Security"] = HSTS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers a response does not set itself."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def hardening_middleware(settings: Settings) -> list[Middleware]:
    """The hardening middleware for these settings, outermost first."""
    stack = [Middleware(SecurityHeadersMiddleware, production=not settings.development)]
    if settings.cors_origins:  # closed unless configured: no header means browsers refuse
        stack.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["POST"],
                allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
                expose_headers=["X-Request-ID", "Retry-After"],
                max_age=600,
            )
        )
    return [
        *stack,
        Middleware(
            RateLimitMiddleware,
            per_token=settings.rate_limit_per_minute,
            per_ip=settings.ip_rate_limit_per_minute,
        ),
        Middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes),
        Middleware(RequestTimeoutMiddleware, seconds=settings.request_timeout),
    ]
