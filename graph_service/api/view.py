"""The /graphql endpoint: authentication, then JSON POST only, then strawberry; subscriptions
over WebSocket (graphql-transport-ws, see api.live_socket)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, cast

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.execution import SubscriptionExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType

from graph_service.api.context import Context
from graph_service.api.errors import GRAPH_UNAVAILABLE, UNEXPECTED_CODE
from graph_service.api.ide import (
    ide_content_security_policy,
    self_hosted_ide,
    wants_ide_page,
)
from graph_service.api.live_socket import SubscriptionsOnly, admit, socket_context
from graph_service.api.loaders import Loaders
from graph_service.api.prepared import Prepared, PreparedOperations
from graph_service.api.refusals import note_refused_fields, note_unauthenticated
from graph_service.api.schema import Schema
from graph_service.auth import Authenticator
from graph_service.bodies import GRAPHQL_REQUEST
from graph_service.errors import (
    AuthenticationError,
    ClientError,
    ConstraintViolation,
    GraphUnavailable,
    IdempotencyKeyReused,
)
from graph_service.logs import request_id_var
from graph_service.services import deadline
from graph_service.services.idempotency import Key, request_fingerprint

JSON = "application/json"
IDEMPOTENCY_HEADER = "idempotency-key"
REPLAYED_HEADER = "Idempotent-Replayed"
RETRY_AFTER_SECONDS = 2
# Enough to tell a document that may hold a mutation: a false positive only costs a write
# transaction for a read.
_MUTATION = re.compile(r"\bmutation\b")
HTTP_OPERATIONS = frozenset({OperationType.QUERY, OperationType.MUTATION})
SUBSCRIBE_BY_SOCKET = (
    "Subscriptions are served over WebSocket on /graphql (graphql-transport-ws), not by POST"
)


def unauthenticated(error: AuthenticationError) -> JSONResponse:
    """HTTP 401 with a GraphQL-shaped body: no operation can run without a valid token."""
    body = {"data": None, "errors": [{"message": str(error), "extensions": {"code": error.code}}]}
    return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})


def _graphql_error(message: str, code: str, status: int, **headers: str) -> JSONResponse:
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=headers)


def graph_unavailable() -> JSONResponse:
    """503 while the graph cannot be reached: the same masked body for every operation."""
    body = {
        "data": None,
        "errors": [
            {
                "message": "The graph is not available just now; try again shortly",
                "extensions": {"code": GRAPH_UNAVAILABLE, "requestId": request_id_var.get()},
            }
        ],
    }
    return JSONResponse(body, status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def _codes(result: ExecutionResult) -> set[str]:
    return {str((error.extensions or {}).get("code")) for error in result.errors or ()}


class _Answer(Exception):
    """A response settled while executing (kept for a key, or a replay): sent as it is."""

    def __init__(self, response: Response) -> None:
        super().__init__("answer")
        self.response = response


class _RolledBack(Exception):
    """An unexpected error in a mutation: its transaction must not commit."""

    def __init__(self, result: ExecutionResult) -> None:
        super().__init__("rolled back")
        self.result = result


@dataclass(frozen=True)
class _Kept:
    """A keyed mutation's response: just kept, or found from an earlier request."""

    text: str
    replayed: bool

    def response(self) -> Response:
        headers = {REPLAYED_HEADER: "true"} if self.replayed else {}
        return Response(self.text, media_type=JSON, headers=headers)


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

    graphql_transport_ws_handler_class = SubscriptionsOnly

    def __init__(
        self,
        schema: Schema,
        authenticator: Authenticator,
        *,
        ide: bool,
        query_timeout: float = 10.0,
        subscriptions_per_connection: int = 5,
        allowed_origins: list[str] | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if ide else None,
            allow_queries_via_get=False,
            # The legacy graphql-ws protocol is left out: one protocol to harden.
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=subscriptions_per_connection,
            allowed_origins=allowed_origins or (),
        )
        self.authenticator = authenticator
        self.ide = ide
        self.query_timeout = query_timeout
        self.ide_csp = ide_content_security_policy(self.graphql_ide_html) if ide else ""
        self.prepared = PreparedOperations(schema, hide_hints=not ide)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Authenticate, check the transport, then hand the request to strawberry."""
        if scope["type"] == "websocket":
            # Authenticated at connection_init (on_ws_connect), where the token travels.
            await super().__call__(scope, receive, send)
            return
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        if not (self.ide and wants_ide_page(request)):
            try:
                principal = self.authenticator.authenticate(request.headers.get("authorization"))
            except AuthenticationError as error:
                note_unauthenticated(request, error)  # counted in memory: no I/O, never raises
                await unauthenticated(error)(scope, receive, send)
                return
            scope.setdefault("state", {})["principal"] = principal
            refusal = refuse_transport(request)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        # One deadline for all the graph work of the operation, retries included.
        with deadline(self.query_timeout):
            try:
                sent = scope.get("state", {}).get(GRAPHQL_REQUEST)
                prepared = sent and self.prepared.prepared(sent["query"], sent.get("operationName"))
                if prepared:
                    response = await self._run_prepared(request, prepared, sent)
                    await response(scope, receive, send)
                else:
                    await super().__call__(scope, receive, send)
            except _Answer as answer:
                await answer.response(scope, receive, send)
            except GraphUnavailable:
                await graph_unavailable()(scope, receive, send)
            except IdempotencyKeyReused as error:
                await _graphql_error(str(error), error.code, 422)(scope, receive, send)
            except ClientError as error:
                await _graphql_error(str(error), error.code, 400)(scope, receive, send)

    @property
    def graphql_ide_html(self) -> str:
        """GraphiQL's page, with its assets served by this service instead of a CDN."""
        return self_hosted_ide(super().graphql_ide_html)

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL, with a policy that lets only its own files and inline script run."""
        response = await super().render_graphql_ide(request)
        response.headers["Content-Security-Policy"] = self.ide_csp
        return response

    async def _run_prepared(
        self, request: Request, prepared: Prepared, sent: dict[str, Any]
    ) -> Response:
        """A query checked before: the same context, audit and errors as strawberry's path."""
        context = self._context(request)
        result = await self.prepared.execute(prepared, context, sent.get("variables"))
        if GRAPH_UNAVAILABLE in _codes(result):
            raise GraphUnavailable("the graph is unavailable")
        body = await self.process_result(request, result)
        return Response(self.encode_json(body), media_type=JSON)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        """The context of one authenticated request, or of one WebSocket connection."""
        if isinstance(request, WebSocket):
            return socket_context(request)
        return self._context(request)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Admit a coordinator's connection_init; close others with 4403."""
        admit(context, self.authenticator)
        return cast(UnsetType, UNSET)  # an acknowledgement without a payload

    def _context(self, request: Request) -> Context:
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
        note_refused_fields(request, result.errors)  # FORBIDDEN fields as security events
        return await super().process_result(request, result)

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> ExecutionResult | list[ExecutionResult] | SubscriptionExecutionResult:
        """Run a mutation as one transaction (with its key, if sent); 503 when the graph is down."""

        async def execute() -> ExecutionResult:
            result = await super(GraphQLView, self).execute_operation(
                request, request_adapter, request_data, context, root_value, sub_response
            )
            assert isinstance(result, ExecutionResult)
            return result

        assert isinstance(request_data, GraphQLRequestData)  # batches are refused before
        if not _MUTATION.search(request_data.query or ""):
            result = await execute()
            if GRAPH_UNAVAILABLE in _codes(result):
                raise GraphUnavailable("the graph is unavailable")
            return result
        return await self._execute_mutation(request, request_data, context, execute)

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """One query or mutation; a subscription is refused (they go over the WebSocket)."""
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=HTTP_OPERATIONS,
                operation_extensions=request_data.extensions,
            )
        except InvalidOperationTypeError:
            raise ClientError(SUBSCRIBE_BY_SOCKET) from None
        except CannotGetOperationTypeError as error:  # as strawberry answers them
            raise HTTPException(400, error.as_http_error_reason()) from error
        except MissingQueryError as error:
            raise HTTPException(400, "No GraphQL query found in the request") from error

    async def _execute_mutation(
        self,
        request: Request,
        request_data: GraphQLRequestData,
        context: Context,
        execute: Any,
    ) -> ExecutionResult:
        services = context.services
        key = self._idempotency_key(request, request_data, context)

        async def unit() -> ExecutionResult | _Kept:
            # Run again from the start if the transaction is retried: fresh caches.
            if key is not None and (kept := await services.idempotency.replay(key)) is not None:
                return _Kept(kept, replayed=True)
            context.loaders = Loaders.build(services)
            services.audit.collect_reads()
            result: ExecutionResult = await execute()
            await services.audit.flush_reads()
            # A statement that failed below fails the unit whatever is raised here: the store
            # then retries it whole (a transient error) or refuses it.
            codes = _codes(result)
            if GRAPH_UNAVAILABLE in codes:
                raise GraphUnavailable("the graph is unavailable")
            if UNEXPECTED_CODE in codes:
                raise _RolledBack(result)
            if key is None:
                return result
            response = await self.process_result(request, result)
            text = json.dumps(response, ensure_ascii=False, separators=(",", ":"))
            await services.idempotency.keep(key, text)
            return _Kept(text, replayed=False)

        try:
            outcome = await services.atomically(unit)
        except _RolledBack as rolled_back:
            # Nothing was written: no data may say otherwise.
            return ExecutionResult(data=None, errors=rolled_back.result.errors)
        except (ConstraintViolation, GraphUnavailable):
            # The same key sent twice at once: the first one's response, once it is kept.
            if key is not None and (kept := await services.idempotency.replay(key)) is not None:
                raise _Answer(_Kept(kept, replayed=True).response()) from None
            raise
        if isinstance(outcome, _Kept):
            raise _Answer(outcome.response())
        return outcome

    def _idempotency_key(
        self, request: Request, request_data: GraphQLRequestData, context: Context
    ) -> Key | None:
        value = request.headers.get(IDEMPOTENCY_HEADER)
        if value is None:
            return None
        variables = json.dumps(request_data.variables or {}, sort_keys=True, default=str)
        fingerprint = request_fingerprint(
            request_data.query or "", variables, request_data.operation_name
        )
        return context.services.idempotency.key(context.principal, value, fingerprint)
