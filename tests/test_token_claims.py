"""Token claims: issuer, audience and the longest lifetime the service accepts."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import jwt
import pytest

from graph_service.auth import Authenticator, Role, issue_token
from graph_service.errors import AuthenticationError
from graph_service.settings import Settings
from tests.conftest import SECRET, RunningServer

ME = "{ me { role } }"
ISSUER = "https://id.example.org"
AUDIENCE = "graph-service"
HOUR = 3600


def _token(**claims: object) -> str:
    now = int(time.time())
    return jwt.encode({"role": "coordinator", "iat": now, "exp": now + 600, **claims}, SECRET)


def _strict() -> Authenticator:
    return Authenticator(SECRET, issuer=ISSUER, audience=AUDIENCE)


@pytest.mark.parametrize(
    "claims",
    [
        {"iss": ISSUER, "aud": AUDIENCE},
        {"iss": ISSUER, "aud": ["another-api", AUDIENCE]},
    ],
    ids=["audience-string", "audience-list"],
)
def test_issuer_and_audience_accepted_when_they_match(claims: dict[str, object]) -> None:
    assert _strict().verify(_token(**claims)).role is Role.COORDINATOR


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"aud": AUDIENCE}, "no 'iss' claim"),
        ({"iss": "https://evil.example", "aud": AUDIENCE}, "issuer is not accepted"),
        ({"iss": ISSUER}, "no 'aud' claim"),
        ({"iss": ISSUER, "aud": "another-api"}, "not meant for this service"),
        ({"iss": ISSUER, "aud": ["another-api"]}, "not meant for this service"),
    ],
    ids=["no-iss", "wrong-iss", "no-aud", "wrong-aud", "wrong-aud-list"],
)
def test_issuer_and_audience_refused_when_they_do_not_match(
    claims: dict[str, object], message: str
) -> None:
    with pytest.raises(AuthenticationError, match=message):
        _strict().verify(_token(**claims))


@pytest.mark.parametrize(
    "claims",
    [{"aud": "some-api"}, {"aud": ["a", "b"]}, {"iss": "https://anyone.example"}],
    ids=["aud-string", "aud-list", "iss"],
)
def test_without_settings_iss_and_aud_are_not_judged(claims: dict[str, object]) -> None:
    # PyJWT refuses any token with `aud` when it is given no audience: that is not ours.
    assert Authenticator(SECRET).verify(_token(**claims)).role is Role.COORDINATOR


@pytest.mark.parametrize(
    ("lifetime_hours", "with_iat", "accepted"),
    [
        (720, True, True),
        (721, True, False),
        (719, False, True),
        (722, False, False),
        (24 * 365, True, False),
    ],
    ids=["30d-iat", "30d+1h-iat", "under-30d-no-iat", "over-30d-no-iat", "a-year"],
)
def test_longest_token_lifetime(lifetime_hours: int, with_iat: bool, accepted: bool) -> None:
    now = int(time.time())
    claims: dict[str, object] = {"role": "coordinator", "exp": now + lifetime_hours * HOUR}
    if with_iat:
        claims["iat"] = now
    token = jwt.encode(claims, SECRET)
    authenticator = Authenticator(SECRET, max_lifetime_seconds=720 * HOUR)
    if accepted:
        assert authenticator.verify(token).role is Role.COORDINATOR
    else:
        with pytest.raises(AuthenticationError, match="longer than the 720 hours"):
            authenticator.verify(token)


def test_issue_token_writes_issuer_and_audience() -> None:
    token = issue_token(SECRET, Role.COORDINATOR, issuer=ISSUER, audience=AUDIENCE)
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER)
    assert (claims["iss"], claims["aud"]) == (ISSUER, AUDIENCE)
    assert _strict().verify(token).role is Role.COORDINATOR


async def _status(server: RunningServer, token: str) -> tuple[int, str]:
    async with httpx.AsyncClient(base_url=server.url) as http:
        response = await http.post(
            "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"}
        )
    errors = response.json().get("errors") or [{}]
    return response.status_code, str(errors[0].get("message", ""))


async def test_server_follows_the_issuer_audience_and_lifetime_settings(
    serve: Callable[[Settings], RunningServer], make_settings: Callable[..., Settings]
) -> None:
    server = serve(
        make_settings(auth_issuer=ISSUER, auth_audience=AUDIENCE, auth_max_token_hours=2)
    )
    assert await _status(server, _token(iss=ISSUER, aud=AUDIENCE)) == (200, "")
    assert (await _status(server, _token(iss=ISSUER, aud="other")))[0] == 401
    assert (await _status(server, _token(aud=AUDIENCE)))[0] == 401
    now = int(time.time())
    long_lived = _token(iss=ISSUER, aud=AUDIENCE, exp=now + 3 * HOUR)
    status, message = await _status(server, long_lived)
    assert status == 401 and "AUTH_MAX_TOKEN_HOURS" in message


async def test_server_default_accepts_a_token_with_aud_refuses_a_year_long_one(
    serve: Callable[[Settings], RunningServer], make_settings: Callable[..., Settings]
) -> None:
    server = serve(make_settings())
    assert await _status(server, _token(aud="an-identity-providers-api")) == (200, "")
    a_year = _token(exp=int(time.time()) + 365 * 24 * HOUR)
    status, message = await _status(server, a_year)
    assert status == 401 and "longer than the 720 hours" in message


def test_token_settings_are_unset_by_default(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(auth_issuer=" ", auth_audience="")
    assert (settings.auth_issuer, settings.auth_audience) == (None, None)
    assert settings.auth_max_token_hours == 720
