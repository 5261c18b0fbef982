"""Bearer tokens: JWTs carrying a role and the member's or college's id.

Tokens are HS256-signed with AUTH_SECRET; tokens from an identity provider may be RS256,
verified with AUTH_PUBLIC_KEY. Claims: ``role`` (coordinator | member | college),
``member_id`` / ``college_id`` (the global ids the API shows), ``iat`` and ``exp``, and
``iss`` / ``aud`` when AUTH_ISSUER / AUTH_AUDIENCE are set.
"""

from __future__ import annotations

import enum
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from graph_service.errors import AuthenticationError, ConfigurationError
from graph_service.ids import from_global_id, to_global_id
from graph_service.settings import Settings

SECRET_FILE = "auth-secret"  # noqa: S105 - a file name, not a secret
_TTL = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_TTL_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_TTL_SECONDS = 30 * 86400


class Role(enum.Enum):
    """Who a principal is."""

    COORDINATOR = "coordinator"
    MEMBER = "member"
    COLLEGE = "college"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: a role and, for members and colleges, their internal id."""

    role: Role
    member_id: str | None = None
    college_id: str | None = None
    subject: str = ""

    @property
    def member_global_id(self) -> str | None:
        """The member's id as the API shows it."""
        return to_global_id("Member", self.member_id) if self.member_id else None

    @property
    def college_global_id(self) -> str | None:
        """The college's id as the API shows it."""
        return to_global_id("College", self.college_id) if self.college_id else None


def signing_secret(settings: Settings) -> str:
    """AUTH_SECRET, or in development a generated one kept in DATA_DIR with mode 0600."""
    if settings.auth_secret is not None:
        return settings.auth_secret.get_secret_value()
    if not settings.development:
        raise ConfigurationError("AUTH_SECRET must be set when ENV=production")
    path = Path(settings.data_dir) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: use theirs
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def parse_ttl(text: str) -> int:
    """Seconds in a lifetime such as '8h', '30m', '7d' or '3600s'."""
    match = _TTL.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a lifetime: use a number and s, m, h or d, e.g. 8h")
    seconds = int(match.group(1)) * _TTL_UNITS[match.group(2)]
    if not 0 < seconds <= MAX_TTL_SECONDS:
        raise ValueError(f"a token lifetime must be between 1 s and {MAX_TTL_SECONDS // 86400} d")
    return seconds


def issue_token(
    secret: str,
    role: Role,
    *,
    member_id: str | None = None,
    college_id: str | None = None,
    ttl_seconds: int = 8 * 3600,
    now: float | None = None,
    subject: str | None = None,
    issuer: str | None = None,
    audience: str | None = None,
) -> str:
    """A signed HS256 token; ids are the API's global ids (checked here)."""
    claims: dict[str, Any] = {"role": role.value}
    if member_id is not None:
        from_global_id(member_id, "Member")
        claims["member_id"] = member_id
    if college_id is not None:
        from_global_id(college_id, "College")
        claims["college_id"] = college_id
    _check_ids(role, member_id is not None, college_id is not None, ValueError)
    issued = int(time.time() if now is None else now)
    # The subject names the person behind a coordinator token in the audit trail.
    sub = subject or member_id or college_id or role.value
    claims.update(iat=issued, exp=issued + ttl_seconds, sub=sub)
    if issuer is not None:
        claims["iss"] = issuer
    if audience is not None:
        claims["aud"] = audience
    return jwt.encode(claims, secret, algorithm="HS256")


def _check_ids(role: Role, has_member: bool, has_college: bool, error: type[Exception]) -> None:
    if role is Role.MEMBER and (not has_member or has_college):
        raise error("a member token needs a member id and no college id")
    if role is Role.COLLEGE and (not has_college or has_member):
        raise error("a college token needs a college id and no member id")
    if role is Role.COORDINATOR and (has_member or has_college):
        raise error("a coordinator token carries no member or college id")


VERIFIED_TOKENS_KEPT = 10_000


class Authenticator:
    """Turns an Authorization header into a Principal, or raises AuthenticationError."""

    def __init__(
        self,
        secret: str | None,
        public_key: str | None = None,
        *,
        issuer: str | None = None,
        audience: str | None = None,
        max_lifetime_seconds: float = MAX_TTL_SECONDS,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.max_lifetime_seconds = max_lifetime_seconds
        self._keys: list[tuple[str, str]] = []
        if secret:
            self._keys.append(("HS256", secret))
        if public_key:
            self._keys.append(("RS256", public_key))
        if not self._keys:
            raise ConfigurationError("no AUTH_SECRET or AUTH_PUBLIC_KEY to verify tokens with")
        # Tokens already verified, with their expiry: a client sends the same token with every
        # request, and checking its signature again would give the same answer until it expires.
        self._verified: dict[str, tuple[Principal, float]] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> Authenticator:
        """The authenticator the settings describe."""
        secret = signing_secret(settings) if settings.auth_secret or settings.development else None
        return cls(
            secret,
            settings.auth_public_key,
            issuer=settings.auth_issuer,
            audience=settings.auth_audience,
            max_lifetime_seconds=settings.auth_max_token_hours * 3600,
        )

    def authenticate(self, authorization: str | None) -> Principal:
        """The principal of a ``Bearer`` header value."""
        if not authorization:
            raise AuthenticationError("authentication required: send 'Authorization: Bearer …'")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("the Authorization header must be 'Bearer <token>'")
        return self.verify(token.strip())

    def verify(self, token: str) -> Principal:
        """The principal of a token, if it is valid, unexpired and signed by a known key."""
        known = self._verified.get(token)
        if known is not None:
            if time.time() < known[1]:
                return known[0]
            del self._verified[token]
        principal, expires = self._verify(token)
        if len(self._verified) >= VERIFIED_TOKENS_KEPT:
            # The oldest first: a bounded memory whatever the number of clients.
            del self._verified[next(iter(self._verified))]
        self._verified[token] = (principal, expires)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
        except jwt.PyJWTError:
            raise AuthenticationError("the token is malformed") from None
        key = next((key for alg, key in self._keys if alg == algorithm), None)
        if key is None:
            raise AuthenticationError("the token's signing algorithm is not accepted")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[str(algorithm)],
                issuer=self.issuer,
                audience=self.audience,
                # Without AUTH_AUDIENCE a token's `aud` is not ours to judge: PyJWT would
                # refuse every token that carries one.
                options={"require": ["exp", "role"], "verify_aud": self.audience is not None},
            )
        except jwt.ExpiredSignatureError:
            raise AuthenticationError("the token has expired") from None
        except jwt.InvalidIssuerError:
            raise AuthenticationError("the token's issuer is not accepted") from None
        except jwt.InvalidAudienceError:
            raise AuthenticationError("the token is not meant for this service") from None
        except jwt.MissingRequiredClaimError as exc:
            raise AuthenticationError(f"the token has no {exc.claim!r} claim") from None
        except jwt.PyJWTError:
            raise AuthenticationError("the token is invalid") from None
        self._check_lifetime(claims)
        return _principal(claims), float(claims["exp"])

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        # A stolen token is useful until it expires: however it was made (an identity
        # provider, a hand-edited script), none lives longer than AUTH_MAX_TOKEN_HOURS.
        issued = claims.get("iat")
        start = float(issued) if isinstance(issued, int | float) else time.time()
        if float(claims["exp"]) - start > self.max_lifetime_seconds:
            hours = self.max_lifetime_seconds / 3600
            raise AuthenticationError(
                f"the token lives longer than the {hours:g} hours this service accepts "
                "(AUTH_MAX_TOKEN_HOURS): ask for a shorter-lived one"
            )


def _principal(claims: dict[str, Any]) -> Principal:
    try:
        role = Role(claims["role"])
    except ValueError:
        raise AuthenticationError("the token's role is not known") from None
    member, college = claims.get("member_id"), claims.get("college_id")
    _check_ids(role, member is not None, college is not None, AuthenticationError)
    try:
        member_id = from_global_id(str(member), "Member") if member is not None else None
        college_id = from_global_id(str(college), "College") if college is not None else None
    except ValueError:
        raise AuthenticationError("the token's id is invalid") from None
    return Principal(role, member_id, college_id, subject=str(claims.get("sub", "")))
