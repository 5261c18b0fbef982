"""A member's own circle: the picture and the ties, adding a supporter, their connect code,
changing what a supporter is, and ending a tie (after saying which one)."""

from __future__ import annotations

from dataclasses import replace
from typing import Final

import segno
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from graph_service.auth import Role
from graph_service.domain import (
    OPEN_TIE_STATUSES,
    OrganisationKind,
    Outcome,
    Relation,
    Tie,
    TieStatus,
)
from graph_service.services.profiles import member_profile
from graph_service.web.me_forms import back, errors_of, lifetime, me, text
from graph_service.web.pictures import circle_entries, circle_picture
from graph_service.web.programme import my_programme
from graph_service.web.session import Visit, page
from graph_service.web.templating import problem, render

DONE: Final = {
    "added": "The supporter has been added to your circle.",
    "invited": "Your invitation has been sent. They join your circle when they say yes. "
    "Until then they show as “Invited member”.",
    "relation": "The change has been saved.",
    "ended": "The tie has ended. You can still see it under “Past ties”.",
    "withdrawn": "The invitation has been taken back.",
}
PERSONAL: Final = ("FAMILY", "FRIEND", "PEER", "PROFESSIONAL")
MEMBERS: Final = ("PEER", "FRIEND", "FAMILY")


async def _show(
    request: Request,
    visit: Visit,
    *,
    failed: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    member_id = me(visit)
    profile = await member_profile(visit.services, visit.principal, member_id)
    if profile is None:
        return _gone(request)
    open_ties = profile.open_ties
    # The member's own picture links nowhere: other members' pages are for coordinators.
    entries = [replace(e, href=None) for e in circle_entries(open_ties)]
    organisations = sorted(
        await visit.services.organisations.all(visit.principal),
        key=lambda o: (o.kind is not OrganisationKind.PEER_NETWORK, o.name.casefold()),
    )
    in_circle = {t.supporter.id for t in open_ties}
    # Members whose circle this member is in already may be invited back without a code.
    known = sorted(
        (
            (t.member_id, t.member_name)
            for t in profile.supporting
            if t.status is TieStatus.ACTIVE and t.member_id not in in_circle
        ),
        key=lambda pair: pair[1].casefold(),
    )
    if failed == "add-member" and not known:
        failed = "add-code"  # a member is invited by their code when there is no one to choose
    form = dict((await request.form()).items()) if request.method == "POST" else {}
    return render(
        request,
        "me_circle.html",
        {
            "visit": visit,
            "member": profile.member,
            "picture": circle_picture(profile.member.display_name, entries, ids="my-circle"),
            "ties": open_ties,
            "history": [t for t in profile.circle if t.status not in OPEN_TIE_STATUSES],
            "supporting": [t for t in profile.supporting if t.status is TieStatus.ACTIVE],
            "invitations": [t for t in profile.supporting if t.status is TieStatus.INVITED],
            "known": known,
            "organisations": organisations,
            "circle_max": visit.settings.circle_max,
            "room": len(open_ties) < visit.settings.circle_max,
            "personal": PERSONAL,
            "members": MEMBERS,
            "done": DONE.get(request.query_params.get("done", "")),
            "failed": failed,
            "errors": errors or {},
            "form": form,
            "code_lifetime": lifetime(visit.settings.connect_code_minutes),
            "programme": await my_programme(visit, member_id),
        },
        status_code,
    )


def _qr(code: str) -> Markup:
    """The code as a QR code (SVG), for a phone to read from another phone's screen."""
    svg = segno.make(code, error="m").svg_inline(
        scale=6, border=4, title="QR code of your connect code", svgclass="qr", omitsize=True
    )
    # segno draws it from the code alone (letters and digits): nothing of it comes from a person.
    labelled = svg.replace("<svg ", '<svg role="img" aria-label="QR code of your connect code" ', 1)
    return Markup(labelled)  # noqa: S704


def _gone(request: Request) -> Response:
    return problem(
        request,
        404,
        "Your membership was not found",
        "It may have been closed. A coordinator can help.",
    )


async def _outcome(
    request: Request, visit: Visit, outcome: Outcome[Tie], form: str, done: str
) -> Response:
    if outcome.errors:
        errors = errors_of(outcome.errors, visit.settings.circle_max)
        return await _show(request, visit, failed=form, errors=errors, status_code=400)
    return back("/me", done, "circle")


async def _invalid(request: Request, visit: Visit, form: str, field: str, say: str) -> Response:
    return await _show(request, visit, failed=form, errors={field: say}, status_code=400)


@page(Role.MEMBER)
async def circle(request: Request, visit: Visit) -> Response:
    """The member's circle: the picture, the ties, and the forms to change them."""
    return await _show(request, visit)


@page(Role.MEMBER)
async def add_supporter(request: Request, visit: Visit) -> Response:
    """Add a person or an organisation, or invite a member (by code, or one they support)."""
    form = await request.form()
    kind = text(form, "kind")
    circles, member_id = visit.services.circles, me(visit)
    if kind == "organisation":
        outcome = await circles.add_supporter(
            visit.principal,
            member_id,
            Relation.ORGANISATION,
            organisation_id=text(form, "organisation_id"),
        )
        return await _outcome(request, visit, outcome, "add-organisation", "added")
    if kind not in ("person", "code", "member"):
        return await _invalid(request, visit, "add-person", "kind", "Choose who to add.")
    relation = text(form, "relation")
    if relation not in (PERSONAL if kind == "person" else MEMBERS):
        return await _invalid(
            request, visit, f"add-{kind}", "relation", "Choose what they are to you."
        )
    if kind == "person":
        outcome = await circles.add_supporter(
            visit.principal, member_id, Relation(relation), person_name=text(form, "person_name")
        )
        return await _outcome(request, visit, outcome, "add-person", "added")
    if kind == "code":
        code = text(form, "connect_code")
        if not code:
            return await _invalid(
                request,
                visit,
                "add-code",
                "connect_code",
                "Type the code the other member gave you.",
            )
        outcome = await circles.add_supporter(
            visit.principal, member_id, Relation(relation), connect_code=code
        )
        return await _outcome(request, visit, outcome, "add-code", "invited")
    outcome = await circles.add_supporter(
        visit.principal,
        member_id,
        Relation(relation),
        supporter_member_id=text(form, "supporter_member_id"),
    )
    return await _outcome(request, visit, outcome, "add-member", "invited")


@page(Role.MEMBER)
async def connect_code(request: Request, visit: Visit) -> Response:
    """A new connect code, shown once as text and as a QR code."""
    outcome = await visit.services.connect_codes.create(visit.principal)
    if outcome.value is None:
        errors = errors_of(outcome.errors, visit.settings.circle_max)
        return await _show(request, visit, failed="code", errors=errors, status_code=400)
    code = outcome.value
    return render(
        request,
        "me_code.html",
        {
            "visit": visit,
            "section": "circle",
            "code": code.code,
            "qr": _qr(code.code),
            "lifetime": lifetime(visit.settings.connect_code_minutes),
        },
    )


@page(Role.MEMBER)
async def change_relation(request: Request, visit: Visit) -> Response:
    """Change what a supporter is to the member."""
    tie_id = request.path_params["tie_id"]
    relation = text(await request.form(), "relation")
    if relation not in PERSONAL:
        return await _invalid(
            request, visit, f"tie-{tie_id}", "relation", "Choose what they are to you."
        )
    outcome = await visit.services.circles.update_relation(
        visit.principal, tie_id, Relation(relation)
    )
    return await _outcome(request, visit, outcome, f"tie-{tie_id}", "relation")


async def _own_open_tie(request: Request, visit: Visit) -> Tie | Response:
    tie = await visit.services.circles.tie(visit.principal, request.path_params["tie_id"])
    # Only the member whose circle holds a tie may end it (a supporter sees it, no more).
    if tie is None or tie.member_id != me(visit):
        return problem(
            request, 404, "This tie is not in your circle", "Go back to your circle.", home="/me"
        )
    if tie.status not in OPEN_TIE_STATUSES:
        return problem(
            request, 409, "This tie has ended already", "Nothing more to do.", home="/me"
        )
    return tie


@page(Role.MEMBER)
async def end_tie(request: Request, visit: Visit) -> Response:
    """Ask before ending a tie (GET), then end it (POST); its history stays."""
    tie = await _own_open_tie(request, visit)
    if isinstance(tie, Response):
        return tie
    if request.method == "GET":
        return render(request, "me_end.html", {"visit": visit, "section": "circle", "tie": tie})
    outcome = await visit.services.circles.end(visit.principal, tie.id)
    done = "withdrawn" if tie.status is TieStatus.INVITED else "ended"
    return await _outcome(request, visit, outcome, f"tie-{tie.id}", done)
