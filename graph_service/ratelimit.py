"""Rate limits per caller and per IP address: token buckets counted in this process."""

from __future__ import annotations

import math
import time

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from graph_service.auth import Authenticator
from graph_service.errors import AuthenticationError
from graph_service.http_errors import send_error

# Probes from the orchestrator must never be throttled into a restart.
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz"})
MAX_TRACKED_KEYS = 10_000


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
