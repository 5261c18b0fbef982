"""Request bodies: the size limit, and GraphQL bodies checked (and decoded once) up front."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph_service.http_errors import send_error

# The answer to a form over the size limit (the web app's page in words), given the limit.
TooLargePage = Callable[[Scope, int], ASGIApp]


class _BodyTooLarge(Exception):
    """The request body went past the limit while it was read."""


class BodySizeLimitMiddleware:
    """413 for a request body over the limit, declared or streamed (chunked)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, page: TooLargePage | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.page = page

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("path") != "/graphql" and self.page is not None:
            # A page's form (a college's CSV upload): a page in words, not JSON.
            await self.page(scope, self.max_bytes)(scope, receive, send)
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
