"""Templates and the responses pages send: their own CSP, no caching, plain error pages."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment, FileSystemLoader
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates
from starlette.types import Scope

from graph_service.logs import request_id_var
from graph_service.web import words

HERE = Path(__file__).parent
# Pages load their stylesheet and script from the service itself and nothing else, and talk
# only to it; forms post only back to it. No inline script, no inline style attribute.
PAGE_CSP: Final = "; ".join(
    [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self' data:",
        "script-src 'self'",
        "connect-src 'self'",  # live.js: the worklist's event stream and its refresh
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)


def _day(value: date | datetime | str | None) -> str:
    """A date as people write it: 3 March 2026."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{value.day} {value:%B %Y}"


def _percent(value: float) -> str:
    return f"{round(value * 100)}%"


templates = Jinja2Templates(
    env=Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)
)
templates.env.filters.update(day=_day, percent=_percent)
templates.env.globals.update(words=words)


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """A page from a template, with the pages' security policy."""
    response: HTMLResponse = templates.TemplateResponse(
        request, template, context, status_code=status_code
    )
    response.headers["Content-Security-Policy"] = PAGE_CSP
    return response


def problem(
    request: Request,
    status_code: int,
    title: str,
    message: str,
    *,
    home: str | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A calm page that says what went wrong and what to do, never a stack trace."""
    response = render(
        request,
        "problem.html",
        {
            "title": title,
            "message": message,
            "home": home,
            "request_id": request_id_var.get(),
        },
        status_code,
    )
    response.headers.update(headers or {})
    return response


def too_large(scope: Scope, max_bytes: int) -> HTMLResponse:
    """The page for a form (a file upload) over the size limit."""
    return problem(
        Request(scope),
        413,
        "That is too much to send",
        f"A form, with any file in it, can be at most {max_bytes // 1024} KB. "
        "If you were uploading a file, split it into smaller files and upload them "
        "one by one. Nothing has been written.",
    )
