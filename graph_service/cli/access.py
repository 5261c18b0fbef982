"""Commands that hand out access to the service, such as `graph-service token`."""

from __future__ import annotations

from typing import Annotated

import typer

from graph_service.auth import Role, issue_token, parse_ttl, signing_secret
from graph_service.cli.common import err, settings_or_exit
from graph_service.errors import GraphServiceError


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
) -> None:
    """Print a bearer token (on the last line) for the given role."""
    settings = settings_or_exit()
    try:
        seconds = parse_ttl(ttl)
        value = issue_token(
            signing_secret(settings),
            role,
            member_id=member,
            college_id=college,
            ttl_seconds=seconds,
            subject=subject,
        )
    except (ValueError, GraphServiceError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    err.print(f"{role.value} token, valid {ttl}; send it as 'Authorization: Bearer <token>':")
    print(value)
