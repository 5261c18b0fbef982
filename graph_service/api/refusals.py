"""Refusals of /graphql requests noted as security events (see services.security)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from graphql import GraphQLError
from starlette.requests import Request

from graph_service.errors import AuthenticationError, PermissionDenied
from graph_service.security_events import SecurityEventKind

log = logging.getLogger(__name__)


def note_unauthenticated(request: Request, error: AuthenticationError) -> None:
    """Note a 401: the reason is the error's wording (it never quotes the token)."""
    try:
        client = request.client.host if request.client else None
        security = request.app.state.services.security
        security.note(SecurityEventKind.UNAUTHENTICATED, f"graphql: {error}", client=client)
    except Exception:
        log.exception("could not note a refused token")


def note_refused_fields(request: Request, errors: Sequence[GraphQLError] | None) -> None:
    """Note each FORBIDDEN (or UNAUTHENTICATED) field of an operation's result, once."""
    try:
        reasons: dict[str, SecurityEventKind] = {}
        for error in errors or ():
            original = error.original_error
            if isinstance(original, PermissionDenied):
                kind = SecurityEventKind.FORBIDDEN
            elif isinstance(original, AuthenticationError):
                kind = SecurityEventKind.UNAUTHENTICATED
            else:
                continue
            # The field's path without list positions: auditLog, member.circle, addSupporter.
            field = ".".join(p for p in error.path or () if isinstance(p, str)) or "operation"
            reasons.setdefault(f"graphql {field}: {original}", kind)
        if not reasons:
            return
        client = request.client.host if request.client else None
        principal = getattr(request.state, "principal", None)
        security = request.app.state.services.security
        for reason, kind in reasons.items():
            security.note(kind, reason, principal=principal, client=client)
    except Exception:
        log.exception("could not note refused fields")
