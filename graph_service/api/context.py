"""The per-request GraphQL context."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from graph_service.auth import Principal
from graph_service.store import Store


@dataclass
class Context:
    """What every resolver may use: the caller, the request id and the store."""

    request: Request
    principal: Principal
    request_id: str
    store: Store
