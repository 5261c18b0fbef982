"""What the member's pages share: reading forms, errors in the member's own words, the
member's id, and going back to a page after a form."""

from __future__ import annotations

from typing import Final

from starlette.datastructures import FormData
from starlette.responses import RedirectResponse

from graph_service.domain import ErrorCode, UserError
from graph_service.services import access
from graph_service.web import words
from graph_service.web.session import Visit

# userErrors name API fields; the member's pages name their own inputs.
FIELDS: Final = {
    **words.FORM_FIELDS,
    "connectCode": "connect_code",
    "collegeId": "college",
    "tools": "tools",
    "id": "",
}

# Said to a member about their own circle, more plainly than the API's messages.
PLAIN: Final = {
    ErrorCode.CIRCLE_FULL: "Your circle is full: it holds at most {max} supporters, counting "
    "invitations. End a tie to make room.",
    ErrorCode.ALREADY_IN_CIRCLE: "They are already in your circle.",
    ErrorCode.SELF_SUPPORT: "This is your own connect code. Ask the other member for theirs.",
    ErrorCode.MEMBER_NOT_ACTIVE: "Your membership is paused or has ended. A coordinator can help.",
}


def text(form: FormData, name: str) -> str:
    """A text field of the form, trimmed ('' when missing)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def sentence(message: str) -> str:
    """A service's message as a sentence."""
    message = message.strip()
    end = "" if message.endswith((".", "?", "!")) else "."
    return message[:1].upper() + message[1:] + end


def errors_of(found: list[UserError], circle_max: int) -> dict[str, str]:
    """userErrors keyed by the page's own input names ('' for the form as a whole)."""
    errors: dict[str, str] = {}
    for error in found:
        name = FIELDS.get(error.field or "", "")
        plain = PLAIN.get(error.code)
        # Codes about the other member keep the service's uniform words: see invitations.py.
        if plain is not None and error.field != "supporterMemberId":
            message = plain.format(max=circle_max)
        else:
            message = sentence(error.message)
        errors.setdefault(name, message)
    return errors


def me(visit: Visit) -> str:
    """The signed-in member's own id."""
    return access.require_member(visit.principal)


def back(path: str, done: str, anchor: str = "") -> RedirectResponse:
    """After a form worked: the page again, saying what was done (redirect-after-post)."""
    return RedirectResponse(f"{path}?done={done}{'#' + anchor if anchor else ''}", status_code=303)


def lifetime(minutes: int) -> str:
    """'24 hours', '90 minutes', '1 hour'."""
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour" + ("s" if hours != 1 else "")
    return f"{minutes} minutes"
