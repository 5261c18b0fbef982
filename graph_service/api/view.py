"""The /graphql endpoint: authentication, then JSON POST only, then strawberry."""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from graph_service.api.context import Context
from graph_service.api.loaders import Loaders
from graph_service.api.schema import Schema
from graph_service.auth import Authenticator
from graph_service.errors import AuthenticationError
from graph_service.logs import request_id_var

JSON = "application/json"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)

# Where graph_service/web/static/graphiql is served (see its LICENSES.txt for the versions).
IDE_ASSETS_URL = "/static/graphiql"
_UNPKG = "https://unpkg.com"
_IDE_ASSETS = {
    f"{_UNPKG}/react@18.2.0/umd/react.production.min.js": "react.production.min.js",
    f"{_UNPKG}/react-dom@18.2.0/umd/react-dom.production.min.js": "react-dom.production.min.js",
    f"{_UNPKG}/js-cookie@3.0.5/dist/js.cookie.min.js": "js.cookie.min.js",
    f"{_UNPKG}/graphiql@3.8.3/graphiql.min.css": "graphiql.min.css",
    f"{_UNPKG}/graphiql@3.8.3/graphiql.min.js": "graphiql.min.js",
    f"{_UNPKG}/@graphiql/plugin-explorer@1.0.2/dist/style.css": "plugin-explorer.css",
    f"{_UNPKG}/@graphiql/plugin-explorer@1.0.2/dist/index.umd.js": "plugin-explorer.umd.js",
}


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


def ide_content_security_policy(html: str) -> str:
    """A policy for the GraphiQL page: this service's own files, its inline script by hash."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
        for s in _INLINE_SCRIPT.findall(html)
    )
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src 'self' {hashes}",
            # GraphiQL's editor sets inline styles; its fonts are data: URIs in its stylesheet.
            "style-src 'self' 'unsafe-inline'",
            "font-src 'self' data:",
            "img-src 'self' data:",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def self_hosted_ide(html: str) -> str:
    """Strawberry's GraphiQL page, loading its scripts and styles from this service."""
    # Offline use, and no third party learns who opens the IDE of a health-data service. The
    # files are byte-identical to the CDN's, so the page's integrity hashes still hold.
    for remote, local in _IDE_ASSETS.items():
        html = html.replace(remote, f"{IDE_ASSETS_URL}/{local}")
    return html


def _graphql_error(message: str, code: str, status: int, **headers: str) -> JSONResponse:
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=headers)


def refuse_transport(request: Request) -> JSONResponse | None:
    """405/415 unless the request is a POST of JSON: the only way operations travel."""
    # GET is refused for queries too: their text and variables (health data) would end up
    # in proxy logs and browser history. Any other content type is one a browser may send
    # cross-site without a preflight (a form post), so it never reaches an operation.
    if request.method != "POST":
        return _graphql_error(
            f"Send operations by POST with Content-Type: {JSON}",
            "METHOD_NOT_ALLOWED",
            405,
            Allow="POST",
        )
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != JSON:
        return _graphql_error(f"Content-Type must be {JSON}", "UNSUPPORTED_MEDIA_TYPE", 415)
    return None


class GraphQLView(GraphQL[Context, None]):
    """Strawberry's ASGI view, with every operation authenticated first."""

    def __init__(self, schema: Schema, authenticator: Authenticator, *, ide: bool) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if ide else None,
            allow_queries_via_get=False,
            subscription_protocols=(),
        )
        self.authenticator = authenticator
        self.ide = ide
        self.ide_csp = ide_content_security_policy(self.graphql_ide_html) if ide else ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Authenticate, check the transport, then hand the request to strawberry."""
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
            refusal = refuse_transport(request)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    @property
    def graphql_ide_html(self) -> str:
        """GraphiQL's page, with its assets served by this service instead of a CDN."""
        return self_hosted_ide(super().graphql_ide_html)

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL, with a policy that lets only its own files and inline script run."""
        response = await super().render_graphql_ide(request)
        response.headers["Content-Security-Policy"] = self.ide_csp
        return response

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        """The context of one authenticated request."""
        assert isinstance(request, Request)
        request.app.state.services.audit.collect_reads()
        return Context(
            request=request,
            request_id=request_id_var.get(),
            services=request.app.state.services,
            loaders=Loaders.build(request.app.state.services),
            authenticated=getattr(request.state, "principal", None),
        )

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """Append the request's audited reads before the data goes out."""
        await request.app.state.services.audit.flush_reads()
        return await super().process_result(request, result)
