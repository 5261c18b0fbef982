"""A member's own pages: their circle, invitations, help, wellness tools, sharing, access
log and data. The pages live in the me_* modules; every route is here."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from graph_service.web import me_choices, me_circle, me_help, me_records

GET, POST = ["GET"], ["POST"]

ROUTES: list[BaseRoute] = [
    Route("/me", me_circle.circle, methods=GET),
    Route("/me/supporters", me_circle.add_supporter, methods=POST),
    Route("/me/connect-code", me_circle.connect_code, methods=POST),
    Route("/me/ties/{tie_id}/relation", me_circle.change_relation, methods=POST),
    Route("/me/ties/{tie_id}/end", me_circle.end_tie, methods=["GET", "POST"]),
    Route("/me/invitations", me_choices.invitations, methods=GET),
    Route("/me/invitations/{tie_id}", me_choices.answer_invitation, methods=POST),
    Route("/me/help", me_help.help_page, methods=GET),
    Route("/me/help", me_help.record_help, methods=POST),
    Route("/me/help/{help_id}", me_help.answer_help, methods=POST),
    Route("/me/tools", me_choices.tools, methods=GET),
    Route("/me/tools", me_choices.choose_tools, methods=POST),
    Route("/me/sharing", me_choices.sharing, methods=GET),
    Route("/me/sharing/{college_id}", me_choices.change_sharing, methods=POST),
    Route("/me/looked", me_records.looked, methods=GET),
    Route("/me/data", me_records.data, methods=GET),
    Route("/me/data/export", me_records.export, methods=POST),
]
