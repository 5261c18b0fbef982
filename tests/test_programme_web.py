"""The programme's pages over real HTTP: the register's tick list, the /me line, the trends page."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date, timedelta

import httpx
import pytest

from graph_service.auth import Role
from graph_service.services import Services
from graph_service.store import Store
from tests.programme_helpers import BOSS, new_member, new_session

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TODAY = date.today()
SignIn = Callable[..., Awaitable[httpx.AsyncClient]]


async def _post(client: httpx.AsyncClient, path: str, data: dict[str, object]) -> httpx.Response:
    page = await client.get(path)
    match = CSRF.search(page.text)
    assert match, page.text
    return await client.post(path, data={"csrf_token": match.group(1), **data})


@pytest.fixture
async def services(store: Store) -> Services:
    """Services with the kinds of session on the list."""
    found = Services.build(store)
    await found.programme.seed()
    return found


async def test_a_coordinator_ticks_the_register_and_finds_a_newcomer(
    services: Services, sign_in: SignIn
) -> None:
    regular, newcomer = (
        await new_member(services, "Regular Rita"),
        await new_member(services, "New Niall"),
    )
    last_week = await new_session(services, TODAY - timedelta(days=7))
    await services.attendance.take(BOSS, last_week, [regular])
    today = await new_session(services, TODAY)
    boss = await sign_in()
    listed = await boss.get("/programme")
    assert f"/programme/sessions/{today}" in listed.text and "No register yet" in listed.text
    page = await boss.get(f"/programme/sessions/{today}")
    assert "Regular Rita" in page.text and "New Niall" not in page.text
    found = await boss.get(f"/programme/sessions/{today}?find=niall")
    assert "New Niall" in found.text
    saved = await _post(boss, f"/programme/sessions/{today}", {"present": [regular, newcomer]})
    assert saved.status_code == 303
    after = await boss.get(saved.headers["location"])
    assert "The register has been saved: 2 people came." in after.text
    assert after.text.count("checked") == 2
    register = await services.attendance.register(BOSS, today)
    assert register is not None and {p.name for p in register.present} == {
        "Regular Rita",
        "New Niall",
    }


async def test_a_member_who_leads_takes_their_register_and_others_cannot(
    services: Services, sign_in: SignIn
) -> None:
    lead, regular = (
        await new_member(services, "Lead Liam"),
        await new_member(services, "Regular Rita"),
    )
    other = await new_member(services, "Other Orla")
    await services.attendance.take(
        BOSS, await new_session(services, TODAY - timedelta(days=7)), [regular]
    )
    today = await new_session(services, TODAY, (lead,))
    member = await sign_in(Role.MEMBER, member_id=lead)
    home = await member.get("/me")
    assert 'href="/programme"' in home.text and "No programme sessions are recorded" in home.text
    page = await member.get(f"/programme/sessions/{today}")
    assert "Regular Rita" in page.text and 'name="find"' not in page.text
    saved = await _post(member, f"/programme/sessions/{today}", {"present": [regular]})
    assert saved.status_code == 303
    # A name that is not on the list is refused, in words, and nothing changes.
    refused = await _post(member, f"/programme/sessions/{today}", {"present": [regular, other]})
    assert refused.status_code == 400 and "a coordinator can add someone new" in refused.text
    rita = await sign_in(Role.MEMBER, member_id=regular)
    assert "You have been to 2 programme sessions" in (await rita.get("/me")).text
    assert (await rita.get(f"/programme/sessions/{today}")).status_code == 403
    assert "Other Orla" not in (await member.get("/programme")).text


async def test_the_trends_page_draws_charts_and_offers_the_csv(
    services: Services, sign_in: SignIn
) -> None:
    boss = await sign_in()
    month = TODAY.strftime("%Y-%m")
    page = await boss.get(f"/trends?from={month}&to={month}")
    assert page.status_code == 200
    assert page.text.count("<svg") == 8 and "withheld" in page.text
    csv = await boss.get(f"/trends.csv?from={month}&to={month}")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[1].startswith(f"{month},<5")
    bad = await boss.get("/trends?from=2026-13")
    assert bad.status_code == 400
    member = await sign_in(Role.MEMBER, member_id=await new_member(services, "Aoife"))
    assert (await member.get("/trends")).status_code == 403
