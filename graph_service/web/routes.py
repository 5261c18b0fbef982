"""The web app's routes: every page, its forms, and the static files."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from graph_service.web import (
    college,
    dashboard,
    links,
    live,
    me,
    members,
    programme,
    programme_cancel,
    programme_forms,
    signin,
    trends,
)
from graph_service.web.templating import HERE

GET, POST = ["GET"], ["POST"]


def web_routes() -> list[BaseRoute]:
    """The pages' routes (mounted beside /graphql)."""
    return [
        Route("/", dashboard.home, methods=GET),
        Route("/welcome", dashboard.welcome, methods=GET),
        Route("/worklist.csv", dashboard.worklist_export, methods=GET),
        *live.ROUTES,
        Route("/load", dashboard.load_view, methods=GET),
        Route("/fragile", dashboard.fragile_view, methods=GET),
        Route("/members", dashboard.find_member, methods=GET),
        Route("/members/{member_id}", members.member_page, methods=GET),
        Route("/members/{member_id}/supporters", members.add_supporter, methods=POST),
        Route("/members/{member_id}/ties/{tie_id}/end", members.end_tie, methods=POST),
        Route("/members/{member_id}/status", members.set_status, methods=POST),
        Route("/members/{member_id}/help", members.record_help, methods=POST),
        Route("/members/{member_id}/signin-link", members.member_link, methods=POST),
        Route("/members/{member_id}/sessions/end", members.end_sessions, methods=POST),
        Route("/links", links.links, methods=["GET", "POST"]),
        Route("/programme", programme.sessions, methods=GET),
        Route("/programme/new", programme_forms.new_session, methods=["GET", "POST"]),
        Route("/programme/schedule", programme_forms.new_schedule, methods=["GET", "POST"]),
        Route("/programme/kinds", programme_forms.add_kind, methods=POST),
        Route("/programme/sessions/{session_id}", programme.register, methods=GET),
        Route("/programme/sessions/{session_id}", programme.take_register, methods=POST),
        Route(
            "/programme/sessions/{session_id}/cancel",
            programme_cancel.cancel,
            methods=["GET", "POST"],
        ),
        Route("/trends", trends.trends, methods=GET),
        Route("/trends.csv", trends.trends_csv, methods=GET),
        *me.ROUTES,
        *college.ROUTES,
        Route("/signin/{secret}", signin.redeem, methods=GET),
        Route("/signout", signin.sign_out, methods=POST),
        Route("/signed-out", signin.signed_out, methods=GET),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
