"""Every GraphQL operation needs a valid bearer token; `me` says who the caller is."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from graph_service.auth import Authenticator, Role, issue_token, parse_ttl
from graph_service.errors import AuthenticationError
from graph_service.ids import to_global_id
from tests.conftest import SECRET, GraphQLClient, token_for

ME = "{ me { role memberId collegeId } }"
MEMBER = to_global_id("Member", "m-1")
COLLEGE = to_global_id("College", "c-1")


def _claims(**extra: object) -> dict[str, object]:
    now = int(time.time())
    return {"role": "coordinator", "iat": now, "exp": now + 600, **extra}


def _none_token() -> str:
    return jwt.encode(_claims(), None, algorithm="none")  # type: ignore[arg-type]


BAD_HEADERS = {
    "missing": None,
    "not-bearer": "Basic dXNlcjpwYXNz",
    "empty-bearer": "Bearer",
    "garbage": "Bearer not.a.jwt",
    "expired": "Bearer " + jwt.encode(_claims(exp=int(time.time()) - 10), SECRET, "HS256"),
    "wrong-secret": "Bearer " + jwt.encode(_claims(), "another-secret-" + "y" * 40, "HS256"),
    "alg-none": "Bearer " + _none_token(),
    "no-exp": "Bearer " + jwt.encode({"role": "coordinator"}, SECRET, "HS256"),
    "unknown-role": "Bearer " + jwt.encode(_claims(role="admin"), SECRET, "HS256"),
    "member-without-id": "Bearer " + jwt.encode(_claims(role="member"), SECRET, "HS256"),
    "member-bad-id": "Bearer "
    + jwt.encode(_claims(role="member", member_id="nonsense"), SECRET, "HS256"),
    "coordinator-with-id": "Bearer " + jwt.encode(_claims(member_id=MEMBER), SECRET, "HS256"),
}


@pytest.mark.parametrize("header", list(BAD_HEADERS.values()), ids=list(BAD_HEADERS))
async def test_operation_without_valid_token_is_401(
    http: httpx.AsyncClient, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    response = await http.post("/graphql", json={"query": ME}, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


async def test_get_query_without_token_is_401(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", params={"query": ME})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("role", "member", "college", "expected"),
    [
        (
            Role.COORDINATOR,
            None,
            None,
            {"role": "COORDINATOR", "memberId": None, "collegeId": None},
        ),
        (Role.MEMBER, MEMBER, None, {"role": "MEMBER", "memberId": MEMBER, "collegeId": None}),
        (Role.COLLEGE, None, COLLEGE, {"role": "COLLEGE", "memberId": None, "collegeId": COLLEGE}),
    ],
    ids=["coordinator", "member", "college"],
)
async def test_me_for_each_role(
    http: httpx.AsyncClient,
    role: Role,
    member: str | None,
    college: str | None,
    expected: dict[str, object],
) -> None:
    client = GraphQLClient(http, token_for(role, member_id=member, college_id=college))
    assert await client(ME) == {"data": {"me": expected}}


async def test_graphiql_page_needs_no_token_in_development(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_rs256_tokens_verified_with_public_key() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    authenticator = Authenticator(None, public.decode())
    token = jwt.encode(_claims(role="college", college_id=COLLEGE), key, algorithm="RS256")
    principal = authenticator.authenticate(f"Bearer {token}")
    assert (principal.role, principal.college_id) == (Role.COLLEGE, "c-1")
    # An HS256 token signed with the public key's text must not pass (algorithm confusion).
    with pytest.raises(AuthenticationError):
        authenticator.verify(jwt.encode(_claims(), "k" * 40, algorithm="HS256"))


@pytest.mark.parametrize(
    ("role", "member", "college"),
    [
        (Role.MEMBER, None, None),
        (Role.COLLEGE, MEMBER, None),
        (Role.COORDINATOR, MEMBER, None),
        (Role.MEMBER, "not-a-global-id", None),
        (Role.MEMBER, COLLEGE, None),
    ],
    ids=["member-no-id", "college-with-member", "coordinator-with-id", "bad-id", "wrong-type"],
)
def test_issue_token_refuses_inconsistent_ids(
    role: Role, member: str | None, college: str | None
) -> None:
    with pytest.raises(ValueError):
        issue_token(SECRET, role, member_id=member, college_id=college)


@pytest.mark.parametrize(
    ("text", "seconds"), [("30m", 1800), ("8h", 28800), ("7d", 604800), ("90s", 90)]
)
def test_parse_ttl(text: str, seconds: int) -> None:
    assert parse_ttl(text) == seconds


@pytest.mark.parametrize("text", ["", "8", "h", "-1h", "0m", "1y", "31d"])
def test_parse_ttl_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_ttl(text)


def test_a_verified_token_is_refused_once_it_expires() -> None:
    # Verified tokens are remembered; their expiry still holds.
    authenticator = Authenticator(SECRET)
    token = issue_token(SECRET, Role.COORDINATOR, ttl_seconds=1)
    assert authenticator.verify(token).role is Role.COORDINATOR
    assert authenticator.verify(token).role is Role.COORDINATOR
    time.sleep(1.1)
    with pytest.raises(AuthenticationError, match="expired"):
        authenticator.verify(token)


def test_remembered_tokens_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("graph_service.auth.VERIFIED_TOKENS_KEPT", 3)
    authenticator = Authenticator(SECRET)
    tokens = [issue_token(SECRET, Role.COORDINATOR, subject=f"c:{n}") for n in range(6)]
    for token in tokens:
        authenticator.verify(token)
    assert len(authenticator._verified) == 3
    assert all(authenticator.verify(token).subject == f"c:{n}" for n, token in enumerate(tokens))
