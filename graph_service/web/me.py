"""A member's own pages: their circle, invitations, help, wellness tools, sharing, access
log and data."""

from __future__ import annotations

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []
