"""The per-request GraphQL context."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.websockets import WebSocket

from graph_service.api.loaders import Loaders
from graph_service.auth import Principal
from graph_service.errors import AuthenticationError
from graph_service.live_streams import LiveStreams
from graph_service.services import Services


@dataclass
class Context:
    """What every resolver may use: the caller, the request id, services and loaders."""

    request: Request | WebSocket
    request_id: str
    services: Services
    loaders: Loaders
    # None only while serving the GraphiQL page, and on a WebSocket until its connection_init.
    authenticated: Principal | None
    streams: LiveStreams | None = None  # subscriptions' slots and end (WebSockets only)
    connection_params: dict[str, object] | None = None  # a WebSocket's connection_init payload

    @property
    def principal(self) -> Principal:
        """The authenticated caller (the view refuses operations without one)."""
        if self.authenticated is None:
            raise AuthenticationError("authentication required")
        return self.authenticated
