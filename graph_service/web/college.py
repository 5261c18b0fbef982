"""A college's pages: its courses, the enrolments of consenting members, and CSV uploads."""

from __future__ import annotations

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []
