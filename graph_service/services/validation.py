"""Input rules shared by the use-cases."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime

from graph_service.domain import ErrorCode, UserError

NAME_MAX = 80
PAGE_MAX = 100


def now_iso() -> str:
    """The current UTC time as ISO-8601 with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def today() -> date:
    """Today's date (UTC)."""
    return datetime.now(UTC).date()


def clean_name(value: str, field: str) -> tuple[str, UserError | None]:
    """A trimmed display name of 1 to 80 characters with no control characters, or the error."""
    name = value.strip()
    if not name or len(name) > NAME_MAX:
        message = f"must be 1 to {NAME_MAX} characters after trimming spaces"
        return name, UserError(field, message, ErrorCode.INVALID_INPUT)
    if any(unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"} for char in name):
        return name, UserError(
            field, "must not contain control characters", ErrorCode.INVALID_INPUT
        )
    return name, None


def invalid(field: str, message: str) -> UserError:
    """An INVALID_INPUT error for one field."""
    return UserError(field, message, ErrorCode.INVALID_INPUT)
