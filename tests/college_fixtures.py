"""Fixtures of the colleges' page tests: signed-in clients, a seeded world, the college's API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from graph_service.auth import Role
from graph_service.ids import from_global_id, to_global_id
from graph_service.services import Services
from graph_service.store import Store
from tests.colleges import GRANT, LINK, PAST, SOUTHPORT, TAI_CHI, WATERLOO, WRAP, SignIn, World
from tests.conftest import GraphQLClient, token_for


@pytest.fixture(name="sign_in")
def sign_in_fixture(sign_in: SignIn) -> SignIn:
    """The shared sign-in, for Southport College unless told otherwise."""

    async def make(role: Role = Role.COLLEGE, **target: str) -> httpx.AsyncClient:
        if role is Role.COLLEGE and not target:
            target = {"college_id": "southport-college"}
        return await sign_in(role, **target)

    return make


@pytest.fixture(name="world")
async def world_fixture(
    store: Store,
    register: Callable[[str], Awaitable[str]],
    as_member: Callable[[str], GraphQLClient],
    as_coordinator: GraphQLClient,
) -> World:
    """Seeded colleges and four members (sharing is granted through the API)."""
    await Services.build(store).colleges.seed()
    ann, bob, cas, dee = [
        await register(n) for n in ("Ann Ash", "Bob Birch", "Cas Cole", "Dee Dale")
    ]
    for member, college in ((ann, SOUTHPORT), (bob, SOUTHPORT), (cas, WATERLOO)):
        assert (await as_member(member)(GRANT, c=college))["data"]["grantCollegeConsent"][  # type: ignore[index]
            "userErrors"
        ] == []

    async def enrol(member: str, course: str) -> str:
        body = await as_coordinator(
            LINK, member=member, course=to_global_id("Course", course), on=PAST
        )
        return from_global_id(body["data"]["linkEnrolment"]["enrolment"]["id"], "Enrolment")  # type: ignore[index]

    return World(
        ann,
        bob,
        cas,
        dee,
        await enrol(bob, WRAP),
        await enrol(cas, TAI_CHI),
        await enrol(dee, WRAP),
    )


@pytest.fixture(name="southport")
def southport_fixture(http: httpx.AsyncClient) -> GraphQLClient:
    """GraphQL as Southport College."""
    return GraphQLClient(http, token_for(Role.COLLEGE, college_id=SOUTHPORT))
