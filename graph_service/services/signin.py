"""Web sign-in: one-time links (15 minutes, single use) that open revocable sessions.

Only a SHA-256 hash of each link's and session's secret is kept in the graph: a copy of the
graph signs nobody in. Sessions live in the graph, so they survive a restart, are shared by
replicas, and a coordinator can end them all for a member at once.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from graph_service.auth import Principal, Role
from graph_service.domain import ErrorCode, Outcome
from graph_service.services import access
from graph_service.services.audit import AuditService
from graph_service.services.validation import invalid
from graph_service.store import Store
from graph_service.store import colleges as store_colleges
from graph_service.store import members as store_members
from graph_service.store import sessions as store_sessions

log = logging.getLogger(__name__)

SECRET_BYTES = 32
# token_urlsafe(32) gives 43 characters of [A-Za-z0-9_-]: anything else is not ours.
_SECRET = re.compile(r"^[A-Za-z0-9_-]{43}$")
SUBJECT = re.compile(r"^[A-Za-z0-9._:@-]{1,80}$")
DEFAULT_SESSION_HOURS: Mapping[Role, float] = {
    Role.COORDINATOR: 12,
    Role.COLLEGE: 12,
    Role.MEMBER: 7 * 24,
}


@dataclass(frozen=True)
class SigninLink:
    """A new sign-in link's secret (shown once, never stored) and when it stops working."""

    secret: str
    role: Role
    expires_at: datetime


@dataclass(frozen=True)
class WebSession:
    """A signed-in browser: its principal and the token its forms must carry."""

    principal: Principal
    csrf: str
    expires_at: datetime


@dataclass(frozen=True)
class OpenedSession:
    """A session just opened from a link: the cookie's secret and the session."""

    secret: str
    session: WebSession


def digest(secret: str) -> str:
    """The hash under which a secret is kept."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def _now() -> datetime:
    return datetime.now(UTC)


def _web_session(stored: store_sessions.StoredSession) -> WebSession:
    principal = Principal(
        Role(stored.role), stored.member_id, stored.college_id, subject=stored.subject
    )
    return WebSession(principal, stored.csrf, datetime.fromisoformat(stored.expires_at))


class SigninService:
    """Sign-in links and web sessions."""

    def __init__(
        self,
        store: Store,
        audit: AuditService,
        *,
        link_minutes: float = 15,
        session_hours: Mapping[Role, float] = DEFAULT_SESSION_HOURS,
    ) -> None:
        self.store = store
        self.audit = audit
        self.link_lifetime = timedelta(minutes=link_minutes)
        self.session_hours = dict(session_hours)

    async def create_link(
        self,
        principal: Principal,
        role: Role,
        *,
        member_id: str | None = None,
        college_id: str | None = None,
        subject: str | None = None,
    ) -> Outcome[SigninLink]:
        """A link that signs someone in once (coordinators make them)."""
        access.require_coordinator(principal)
        checked = await self._check_target(role, member_id, college_id, subject)
        if isinstance(checked, Outcome):
            return checked
        secret = secrets.token_urlsafe(SECRET_BYTES)
        now = _now()
        expires = now + self.link_lifetime
        await store_sessions.create_link(
            self.store,
            hash=digest(secret),
            role=role.value,
            member_id=member_id,
            college_id=college_id,
            subject=checked,
            now=_iso(now),
            expires_at=_iso(expires),
        )
        if member_id is not None:
            await self.audit.record(principal, "member.signin_link", member_id)
        elif college_id is not None:
            await self.audit.record(principal, "college.signin_link", college_id)
        log.info("sign-in link created", extra={"role": role.value, "subject": checked})
        return Outcome(SigninLink(secret, role, expires))

    async def _check_target(
        self, role: Role, member_id: str | None, college_id: str | None, subject: str | None
    ) -> str | Outcome[SigninLink]:
        """The subject the session will name, or why the link cannot be made."""
        if role is Role.MEMBER:
            if member_id is None or college_id is not None:
                return Outcome(errors=[invalid("memberId", "a member's link names the member")])
            found = await store_members.members_by_ids(self.store, [member_id])
            if member_id not in found:
                return Outcome.fail(ErrorCode.NOT_FOUND, "no such member", "memberId")
            return member_id
        if role is Role.COLLEGE:
            if college_id is None or member_id is not None:
                return Outcome(errors=[invalid("collegeId", "a college's link names the college")])
            if college_id not in await store_colleges.colleges_by_ids(self.store, [college_id]):
                return Outcome.fail(ErrorCode.NOT_FOUND, "no such college", "collegeId")
            return subject or college_id
        if member_id is not None or college_id is not None:
            return Outcome(errors=[invalid("role", "a coordinator's link names no member")])
        if subject is None or not SUBJECT.match(subject):
            message = "name the coordinator, e.g. coordinator:siobhan (letters, digits, .:_@-)"
            return Outcome(errors=[invalid("subject", message)])
        return subject

    async def redeem(self, secret: str) -> OpenedSession | None:
        """Open a session with a link: None when it is used, expired or unknown."""
        if not _SECRET.match(secret):
            return None
        now = _now()
        session_secret = secrets.token_urlsafe(SECRET_BYTES)
        stored = await store_sessions.redeem_link(
            self.store,
            hash=digest(secret),
            session_hash=digest(session_secret),
            csrf=secrets.token_urlsafe(SECRET_BYTES),
            now=_iso(now),
            # Only the link knows the role, and each role has its own session lifetime.
            expiry={
                role.value: _iso(now + timedelta(hours=hours))
                for role, hours in self.session_hours.items()
            },
        )
        if stored is None:
            return None
        log.info("signed in", extra={"role": stored.role, "subject": stored.subject})
        return OpenedSession(session_secret, _web_session(stored))

    def now(self) -> datetime:
        """The current time, as sessions count it."""
        return _now()

    async def session(self, secret: str) -> WebSession | None:
        """The live session a cookie names, if any."""
        if not _SECRET.match(secret):
            return None
        stored = await store_sessions.session(self.store, digest(secret), _iso(_now()))
        return _web_session(stored) if stored else None

    async def sign_out(self, secret: str) -> None:
        """End the session a cookie names."""
        if _SECRET.match(secret):
            await store_sessions.end_session(self.store, digest(secret))

    async def end_member_sessions(self, principal: Principal, member_id: str) -> int:
        """End every session of a member (coordinators); how many were ended."""
        access.require_coordinator(principal)
        ended = await store_sessions.end_member_sessions(self.store, member_id)
        await self.audit.record(principal, "member.sessions_end", member_id)
        return ended

    async def member_sessions(self, principal: Principal, member_id: str) -> int:
        """How many live sessions a member has (coordinators)."""
        access.require_coordinator(principal)
        return await store_sessions.member_sessions(self.store, member_id, _iso(_now()))
