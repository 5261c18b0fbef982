"""The per-request GraphQL context."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from graph_service.api.loaders import Loaders
from graph_service.auth import Principal
from graph_service.errors import AuthenticationError
from graph_service.services import Services


@dataclass
class Context:
    """What every resolver may use: the caller, the request id, services and loaders."""

    request: Request
    request_id: str
    services: Services
    loaders: Loaders
    # None only while serving the GraphiQL page, which runs no operation.
    authenticated: Principal | None

    @property
    def principal(self) -> Principal:
        """The authenticated caller (the view refuses operations without one)."""
        if self.authenticated is None:
            raise AuthenticationError("authentication required")
        return self.authenticated
