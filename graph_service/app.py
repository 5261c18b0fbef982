"""The Starlette application: routes, middleware and lifespan."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from graph_service.api.schema import build_schema
from graph_service.api.view import GraphQLView
from graph_service.auth import Authenticator, Principal, Role, issue_token, signing_secret
from graph_service.errors import GraphServiceError
from graph_service.graph import open_graph
from graph_service.hardening import hardening_middleware
from graph_service.live_streams import LiveStreams
from graph_service.logs import configure_logging
from graph_service.middleware import RequestLogMiddleware
from graph_service.services import Services
from graph_service.services.change_log import ChangeLog
from graph_service.settings import Settings, get_settings
from graph_service.store import Store
from graph_service.store.admin import count_nodes
from graph_service.store.health import HealthMonitor
from graph_service.web.links import signin_url
from graph_service.web.routes import web_routes
from graph_service.web.templating import too_large
from loaders.demo import load_demo

log = logging.getLogger(__name__)

READINESS_TIMEOUT = 3.0
HOUSEKEEPING_SECONDS = 3600.0
# Who the link printed at a development start is made by, and for.
DEVELOPER = Principal(Role.COORDINATOR, subject="cli:serve")
DEVELOPER_SUBJECT = "coordinator:developer"


async def healthz(request: Request) -> JSONResponse:
    """The process can serve: 503 once the graph has been unreachable past the grace period."""
    # Short outages are the supervisor's to mend (readyz says 503 at once); a longer one
    # means this process cannot recover by itself, and the orchestrator should restart it.
    store = getattr(request.app.state, "store", None)
    settings = request.app.state.settings
    if store is not None and store.health.down_for() > settings.health_grace_seconds:
        reason = f"the graph has been unreachable for {store.health.down_for():.0f} s"
        return JSONResponse({"status": "failing", "reason": reason}, status_code=503)
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """The graph answers: 200, else 503 with the reason."""
    store = getattr(request.app.state, "store", None)
    if store is None:
        return JSONResponse({"status": "unavailable", "reason": "starting up"}, status_code=503)
    try:
        await asyncio.wait_for(store.ping(), READINESS_TIMEOUT)
    except TimeoutError:
        reason = f"the graph did not answer within {READINESS_TIMEOUT:.0f} s"
    except GraphServiceError as exc:
        reason = str(exc)
    else:
        return JSONResponse({"status": "ready"})
    return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)


async def first_start(settings: Settings, store: Store) -> None:
    """Load the demo network into a new embedded graph and tell a newcomer how to look at it."""
    # Development only (the caller checks): in production the graph starts empty.
    result = await load_demo(store)
    token = issue_token(signing_secret(settings), Role.COORDINATOR)
    print(
        f"\nA new graph: loaded the demo network ({result.members} members, "
        f"{result.ties} ties; all of it synthetic).\n"
        f"GraphiQL: {settings.base_url}/graphql\n"
        "Paste this under Headers in GraphiQL (a coordinator token, valid 8 hours):\n"
        f'{{"Authorization": "Bearer {token}"}}',
        flush=True,
    )


async def print_signin_link(settings: Settings, services: Services) -> None:
    """Print a coordinator's sign-in link for the web app (development starts only)."""
    outcome = await services.signin.create_link(
        DEVELOPER, Role.COORDINATOR, subject=DEVELOPER_SUBJECT
    )
    assert outcome.value is not None, outcome.errors
    print(
        f"\nOpen the coordinators' dashboard (a sign-in link: works once, for "
        f"{settings.signin_link_minutes} minutes):\n"
        f"{signin_url(settings.base_url, outcome.value)}\n"
        "More links: graph-service signin-link --role coordinator --subject coordinator:NAME\n",
        flush=True,
    )


async def keep_house(services: Services, change_log: ChangeLog) -> None:
    """Hourly: delete the responses kept for idempotency keys, and old changes, past their time."""
    while True:
        try:
            deleted = await services.idempotency.purge_expired()
            purged = await change_log.purge()
        except GraphServiceError as exc:
            log.warning("housekeeping skipped: %s", exc)
        else:
            if deleted:
                log.info("expired idempotency keys deleted", extra={"deleted": deleted})
            if purged:
                log.info("old changes purged from the change log", extra={"purged": purged})
        await asyncio.sleep(HOUSEKEEPING_SECONDS)


def create_app(settings: Settings | None = None) -> Starlette:
    """The application for these settings (read from the environment when omitted)."""
    settings = settings or get_settings()
    authenticator = Authenticator.from_settings(settings)
    streams = LiveStreams(settings.subscriptions_per_token)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_graph(settings) as graph:
            app.state.store = graph.store
            app.state.settings = settings
            app.state.services = Services.for_settings(graph.store, settings)
            app.state.engine = graph.engine
            if settings.development and graph.engine and await count_nodes(graph.store) == 0:
                await first_start(settings, graph.store)
            if settings.development:
                await print_signin_link(settings, app.state.services)
            log.info("service ready", extra={"graph": graph.uri, "env": settings.env})
            monitor = HealthMonitor(graph.store.health, graph.store.ping)
            monitor.start()
            change_log = ChangeLog(
                graph.store,
                interval=settings.change_poll_seconds,
                window=max(settings.change_window_seconds, settings.query_timeout),
                keep_hours=settings.change_log_hours,
            )
            app.state.change_log = change_log
            app.state.streams = streams
            streams.close_on_signals()
            background = [
                asyncio.create_task(keep_house(app.state.services, change_log)),
                asyncio.create_task(app.state.services.security.run()),
                asyncio.create_task(change_log.run()),
                asyncio.create_task(app.state.services.analyses.live.follow()),
            ]
            try:
                yield
            finally:
                streams.close()
                for task in background:
                    task.cancel()
                await app.state.services.security.close()  # refusals still counted in memory
                await monitor.stop()
                app.state.store = None
                log.info("service stopping")

    graphql = GraphQLView(
        build_schema(settings),
        authenticator,
        ide=settings.development,
        query_timeout=settings.query_timeout,
        subscriptions_per_connection=settings.subscriptions_per_token,
        allowed_origins=settings.cors_origins,
    )
    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *web_routes(),
        ],
        # The request log is outermost, so that every refusal below has a request id.
        middleware=[
            Middleware(RequestLogMiddleware),
            *hardening_middleware(settings, authenticator, too_large),
        ],
        lifespan=lifespan,
    )


def create_app_from_environment() -> Starlette:
    """The application for the environment's settings, logging as JSON (worker processes)."""
    settings = get_settings()
    configure_logging(settings.log_level)
    app = create_app(settings)
    settle_heap()
    return app


def settle_heap() -> None:
    """Exempt what start-up built (modules, the schema) from the cyclic garbage collector."""
    # They live as long as the process, yet every full collection would scan them all
    # again: with them frozen, the collections that requests cause stay small.
    gc.collect()
    gc.freeze()
