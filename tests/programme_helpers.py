"""Members and sessions made through the services, for the programme's page tests."""

from __future__ import annotations

from datetime import date, time

from graph_service.auth import Principal, Role
from graph_service.domain_programme import NewSession
from graph_service.services import Services

BOSS = Principal(Role.COORDINATOR, subject="coordinator:test")


async def new_member(services: Services, name: str) -> str:
    """Register a member; their id."""
    made = await services.members.register(BOSS, name, None)
    assert made.value is not None
    return made.value.id


async def new_session(services: Services, on: date, facilitators: tuple[str, ...] = ()) -> str:
    """Put a two-hour WRAP class on the programme at 10:00; its id."""
    made = await services.programme.create(
        BOSS, NewSession("WRAP class", on, time(10), 120, "Bootle Library", facilitators)
    )
    assert made.value is not None, made.errors
    return made.value.id
