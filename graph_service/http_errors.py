"""JSON error answers at the HTTP layer, GraphQL-shaped and carrying the request id."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from starlette.types import Send

from graph_service.logs import request_id_var

log = logging.getLogger(__name__)


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


async def send_unexpected(send: Send, error: BaseException, path: str) -> None:
    """Log an unhandled exception with its traceback, and answer a masked JSON 500."""
    log.error(
        "unexpected error in %s",
        path,
        exc_info=(type(error), error, error.__traceback__),
        extra={"request_id": request_id_var.get()},
    )
    await send_error(send, 500, "Unexpected error", "INTERNAL_SERVER_ERROR")
