"""Commands that hand out access: bearer tokens for the API, sign-in links for the web app."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from graph_service.auth import Principal, Role, issue_token, parse_ttl, signing_secret
from graph_service.cli.common import err, run_or_exit, settings_or_exit
from graph_service.domain import Outcome
from graph_service.errors import GraphServiceError
from graph_service.graph import open_graph
from graph_service.ids import from_global_id
from graph_service.services import Services
from graph_service.services.signin import SigninLink
from graph_service.settings import Settings
from graph_service.web.links import signin_url

# The command line runs with the operator's authority; the trail names it as such.
OPERATOR = Principal(Role.COORDINATOR, subject="cli:signin-link")


def token(
    role: Annotated[Role, typer.Option(help="coordinator, member or college.")],
    member: Annotated[str | None, typer.Option(help="The member's id as the API shows it.")] = None,
    college: Annotated[
        str | None, typer.Option(help="The college's id as the API shows it.")
    ] = None,
    ttl: Annotated[str, typer.Option(help="Lifetime, e.g. 30m, 8h, 7d.")] = "8h",
    subject: Annotated[
        str | None, typer.Option(help="Who holds the token (named in the audit trail).")
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Issue without checking that the member or college exists."),
    ] = False,
) -> None:
    """Print a bearer token (on the last line) for the given role."""
    settings = settings_or_exit()
    try:
        seconds = parse_ttl(ttl)
        if seconds > settings.auth_max_token_hours * 3600:
            raise ValueError(
                f"the service accepts tokens of at most {settings.auth_max_token_hours:g} h "
                "(AUTH_MAX_TOKEN_HOURS): choose a shorter --ttl"
            )
        value = issue_token(
            signing_secret(settings),
            role,
            member_id=member,
            college_id=college,
            ttl_seconds=seconds,
            subject=subject,
            issuer=settings.auth_issuer,
            audience=settings.auth_audience,
        )
    except (ValueError, GraphServiceError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if not force and (member is not None or college is not None):
        _check_exists(settings, member, college)
    err.print(f"{role.value} token, valid {ttl}; send it as 'Authorization: Bearer <token>':")
    print(value)


async def _missing(settings: Settings, member: str | None, college: str | None) -> str | None:
    """What the token would name that the graph does not hold (None: all of it exists)."""
    async with open_graph(settings, share_running=True) as graph:
        services = Services.for_settings(graph.store, settings)
        if member is not None:
            member_id = from_global_id(member, "Member")
            if member_id not in await services.members.by_ids([member_id]):
                return f"no such member: {member}"
        if college is not None:
            college_id = from_global_id(college, "College")
            if college_id not in await services.colleges.by_ids([college_id]):
                return f"no such college: {college}"
    return None


def _check_exists(settings: Settings, member: str | None, college: str | None) -> None:
    """End with code 2 unless the member or college the token names is in the graph."""
    # A token for an id that does not exist would pass every check and see nothing:
    # more likely a typo, or an id copied from another deployment.
    try:
        missing = asyncio.run(_missing(settings, member, college))
    except GraphServiceError as exc:
        err.print(
            f"[red]error:[/red] cannot check the id against the graph ({exc}); "
            "add --force to issue the token anyway"
        )
        raise typer.Exit(2) from None
    if missing is not None:
        err.print(
            f"[red]error:[/red] {missing} in the graph at hand "
            "(--force issues the token anyway, e.g. for another deployment's graph)"
        )
        raise typer.Exit(2)


async def _signin_link(
    settings: Settings, role: Role, member: str | None, college: str | None, subject: str | None
) -> Outcome[SigninLink]:
    async with open_graph(settings, share_running=True) as graph:
        services = Services.for_settings(graph.store, settings)
        return await services.signin.create_link(
            OPERATOR, role, member_id=member, college_id=college, subject=subject
        )


def signin_link(
    role: Annotated[Role, typer.Option(help="coordinator, member or college.")],
    subject: Annotated[
        str | None,
        typer.Option(help="For coordinators: who signs in, e.g. coordinator:siobhan (audited)."),
    ] = None,
    member: Annotated[str | None, typer.Option(help="The member's id as the API shows it.")] = None,
    college: Annotated[
        str | None, typer.Option(help="The college's id as the API shows it.")
    ] = None,
) -> None:
    """Print a one-time sign-in link for the web app (on the last line)."""
    settings = settings_or_exit()
    try:
        member_id = from_global_id(member, "Member") if member is not None else None
        college_id = from_global_id(college, "College") if college is not None else None
    except ValueError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    outcome = run_or_exit(_signin_link(settings, role, member_id, college_id, subject))
    if outcome.value is None:
        problems = "; ".join(f"{e.field}: {e.message}" for e in outcome.errors)
        err.print(f"[red]error:[/red] {problems}")
        raise typer.Exit(2)
    minutes = settings.signin_link_minutes
    err.print(f"A {role.value} sign-in link: it works once, for {minutes} minutes.")
    print(signin_url(settings.base_url, outcome.value))
