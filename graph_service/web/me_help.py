"""A member's help: what they gave and got, recording help, and saying yes or no to what the
other person recorded. Worded as give and take between people, never as a debt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from graph_service.auth import Role
from graph_service.domain import Help, HelpBalance, HelpKind, SupporterKind, TieStatus
from graph_service.services.help import COORDINATOR_RECORDER
from graph_service.services.validation import today
from graph_service.web.me_forms import back, errors_of, me, text
from graph_service.web.session import Visit, page
from graph_service.web.templating import render

DONE: Final = {
    "recorded": "Thank you. The help has been recorded. The other person will be asked to say "
    "it is right.",
    "confirmed": "Thank you for saying it is right.",
    "rejected": "Thank you. That record has been taken away.",
}
LATEST = 20


@dataclass(frozen=True)
class HelpLine:
    """One help record as the member reads it."""

    help: Help
    gave: bool  # True when this member gave the help
    other: str  # the other member's name
    by_coordinator: bool
    mine: bool  # this member recorded it
    answerable: bool  # this member may say yes or no to it


def times(count: int) -> str:
    """'once', 'twice', '3 times'."""
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def balance_words(balance: HelpBalance) -> str:
    """'You have helped 3 times and been helped twice.'"""
    given, received = times(balance.given), times(balance.received)
    if balance.given and balance.received:
        return f"You have helped {given} and been helped {received}."
    if balance.given:
        return f"You have helped {given}."
    if balance.received:
        return f"You have been helped {received}."
    return "No help has been recorded yet."


async def _partners(visit: Visit, member_id: str) -> list[tuple[str, str]]:
    """Members this member shares an active tie with, either way round (id, name)."""
    services = visit.services
    circle = (await services.circles.circles([member_id], False)).get(member_id, [])
    supporting = (await services.circles.supporting([member_id], False)).get(member_id, [])
    found = {
        t.supporter.id: t.supporter.name
        for t in circle
        if t.status is TieStatus.ACTIVE and t.supporter.kind is SupporterKind.MEMBER
    } | {t.member_id: t.member_name for t in supporting if t.status is TieStatus.ACTIVE}
    return sorted(found.items(), key=lambda pair: pair[1].casefold())


def _line(h: Help, member_id: str, names: dict[str, str]) -> HelpLine:
    gave = h.from_member_id == member_id
    other = h.to_member_id if gave else h.from_member_id
    by_coordinator = h.recorded_by == COORDINATOR_RECORDER
    # The same rule as HelpService.confirm: the other party, and for a coordinator's record
    # only the member who received the help.
    answerable = (
        not h.confirmed
        and h.recorded_by != member_id
        and (not by_coordinator or member_id == h.to_member_id)
    )
    return HelpLine(
        h,
        gave,
        names.get(other, "Another member"),
        by_coordinator,
        h.recorded_by == member_id,
        answerable,
    )


async def _show(
    request: Request,
    visit: Visit,
    *,
    failed: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    member_id = me(visit)
    services = visit.services
    balance = (await services.help.balances([member_id])).get(member_id, HelpBalance())
    pending = (await services.help.pending_for([member_id])).get(member_id, [])
    latest = await services.help.latest(visit.principal, member_id, LATEST)
    partners = await _partners(visit, member_id)
    others = {h.from_member_id for h in [*pending, *latest]} | {
        h.to_member_id for h in [*pending, *latest]
    }
    members = await services.members.by_ids(sorted(others - {member_id}))
    names = {m.id: m.display_name for m in members.values()}
    to_check = [line for line in (_line(h, member_id, names) for h in pending) if line.answerable]
    checking = {line.help.id for line in to_check}
    form = dict((await request.form()).items()) if request.method == "POST" else {}
    return render(
        request,
        "me_help.html",
        {
            "visit": visit,
            "balance": balance,
            "balance_words": balance_words(balance),
            "to_check": to_check,
            "latest": [_line(h, member_id, names) for h in latest if h.id not in checking],
            "partners": partners,
            "done": DONE.get(request.query_params.get("done", "")),
            "failed": failed,
            "errors": errors or {},
            "form": form,
            "today": today().isoformat(),
        },
        status_code,
    )


@page(Role.MEMBER)
async def help_page(request: Request, visit: Visit) -> Response:
    """Help given and received, and the records waiting for this member's answer."""
    return await _show(request, visit)


async def _invalid(request: Request, visit: Visit, field: str, say: str) -> Response:
    return await _show(request, visit, failed="record", errors={field: say}, status_code=400)


@page(Role.MEMBER)
async def record_help(request: Request, visit: Visit) -> Response:
    """Record help this member gave or got."""
    member_id = me(visit)
    form = await request.form()
    other, direction, kind = (
        text(form, "other_member_id"),
        text(form, "direction"),
        text(form, "kind"),
    )
    if not other:
        return await _invalid(request, visit, "other_member_id", "Choose the other person.")
    if direction not in ("gave", "received"):
        return await _invalid(request, visit, "direction", "Choose who helped whom.")
    if kind not in HelpKind.__members__:
        return await _invalid(request, visit, "kind", "Choose the kind of help.")
    try:
        on = date.fromisoformat(text(form, "on"))
    except ValueError:
        return await _invalid(request, visit, "on", "Give the date, for example 2026-03-01.")
    giver, receiver = (member_id, other) if direction == "gave" else (other, member_id)
    outcome = await visit.services.help.record(visit.principal, giver, receiver, on, HelpKind(kind))
    if outcome.errors:
        errors = errors_of(outcome.errors, visit.settings.circle_max)
        return await _show(request, visit, failed="record", errors=errors, status_code=400)
    return back("/me/help", "recorded")


@page(Role.MEMBER)
async def answer_help(request: Request, visit: Visit) -> Response:
    """Say yes (confirm) or no (reject) to help the other person recorded."""
    help_id = request.path_params["help_id"]
    answer = text(await request.form(), "answer")
    if answer not in ("yes", "no"):
        return await _show(
            request, visit, failed="check", errors={"": "Choose yes or no."}, status_code=400
        )
    service = visit.services.help
    outcome = await (
        service.confirm(visit.principal, help_id)
        if answer == "yes"
        else service.reject(visit.principal, help_id)
    )
    if outcome.errors:
        errors = errors_of(outcome.errors, visit.settings.circle_max)
        return await _show(
            request,
            visit,
            failed="check",
            errors={"": next(iter(errors.values()))},
            status_code=400,
        )
    return back("/me/help", "confirmed" if answer == "yes" else "rejected")
