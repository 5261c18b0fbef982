"""The /graphql endpoint: authentication before any operation, then strawberry."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from graph_service.api.context import Context
from graph_service.api.loaders import Loaders
from graph_service.api.schema import Schema
from graph_service.auth import Authenticator
from graph_service.errors import AuthenticationError
from graph_service.logs import request_id_var


def _wants_ide_page(request: Request) -> bool:
    return (
        request.method == "GET"
        and "query" not in request.query_params
        and "text/html" in request.headers.get("accept", "")
    )


def unauthenticated(error: AuthenticationError) -> JSONResponse:
    """HTTP 401 with a GraphQL-shaped body: no operation can run without a valid token."""
    body = {"data": None, "errors": [{"message": str(error), "extensions": {"code": error.code}}]}
    return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})


class GraphQLView(GraphQL[Context, None]):
    """Strawberry's ASGI view, with every operation authenticated first."""

    def __init__(self, schema: Schema, authenticator: Authenticator, *, ide: bool) -> None:
        super().__init__(schema, graphql_ide="graphiql" if ide else None, subscription_protocols=())
        self.authenticator = authenticator
        self.ide = ide

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Authenticate, then hand the request to strawberry."""
        if scope["type"] != "http":
            await WebSocket(scope, receive, send).close(code=1003)
            return
        request = Request(scope, receive)
        if not (self.ide and _wants_ide_page(request)):
            try:
                principal = self.authenticator.authenticate(request.headers.get("authorization"))
            except AuthenticationError as error:
                await unauthenticated(error)(scope, receive, send)
                return
            scope.setdefault("state", {})["principal"] = principal
        await super().__call__(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        """The context of one authenticated request."""
        assert isinstance(request, Request)
        return Context(
            request=request,
            request_id=request_id_var.get(),
            services=request.app.state.services,
            loaders=Loaders.build(request.app.state.services),
            authenticated=getattr(request.state, "principal", None),
        )
