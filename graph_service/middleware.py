"""ASGI middleware: request ids and one structured log line per request."""

from __future__ import annotations

import logging
import random
import re
import time

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph_service.hardening import SECURITY_HEADERS
from graph_service.http_errors import send_unexpected
from graph_service.logs import client_request_id_var, request_id_var

log = logging.getLogger("graph_service.request")

_VALID_CLIENT_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
REQUEST_ID_HEADER = "x-request-id"
# The caller's own id is sent back under another name: X-Request-ID is always ours.
CLIENT_REQUEST_ID_HEADER = "x-client-request-id"


# Seeded from the system's randomness once; drawing from it needs no system call per request
# (os.urandom costs a syscall, which is dear here). An id must be unique, not secret.
_ids = random.Random()  # noqa: S311 - identifiers, not secrets


def new_request_id() -> str:
    """A server-chosen request id: 32 random hex digits."""
    return f"{_ids.getrandbits(128):032x}"


def client_request_id(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The caller's X-Request-ID if it is at most 64 of [A-Za-z0-9._:-]; anything else: None."""
    supplied = dict(headers).get(REQUEST_ID_HEADER.encode())
    if supplied is None:
        return None
    text = supplied.decode("latin-1")
    return text if _VALID_CLIENT_ID.fullmatch(text) else None


class RequestLogMiddleware:
    """Give each request a server id, keep the caller's valid X-Request-ID apart, log it all."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Wrap one request."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Ours, never the caller's: the audit trail and security events must not say
        # what a caller chose. The caller's (valid) id is logged and echoed apart.
        request_id = new_request_id()
        client_id = client_request_id(scope["headers"])
        token = request_id_var.set(request_id)
        client_token = client_request_id_var.set(client_id)
        started = time.perf_counter()
        status = 500
        responded = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = request_id
                if client_id is not None:
                    headers[CLIENT_REQUEST_ID_HEADER] = client_id
                if status == 500:  # the last resort below sets no headers of its own
                    for name, value in SECURITY_HEADERS.items():
                        headers.setdefault(name, value)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as error:
            # The hardening middleware answers most failures; this catches what fails
            # around it, so that no answer is Starlette's plain-text 500 without an id.
            if responded:
                raise
            await send_unexpected(send_with_id, error, scope["path"])
        finally:
            log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            client_request_id_var.reset(client_token)
            request_id_var.reset(token)
