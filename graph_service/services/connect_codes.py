"""Connect codes: a member makes one on their own token and gives it to someone they trust,
who can then invite them into their circle.

A code is 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown as two
groups (``KXR4-9TQM``) and accepted in any case, with or without the dash or spaces. Only its
SHA-256 hash is kept (as for sign-in links). A code works once, for ``CONNECT_CODE_MINUTES``;
making a new code replaces the member's older ones, so a code given out by mistake is undone
by making another. A code made after declining someone's invitation lets that person invite
again within the cooling-off period (the member's own act).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from graph_service.auth import Principal
from graph_service.domain import ErrorCode, Outcome
from graph_service.services import access
from graph_service.services.audit import AuditService
from graph_service.services.signin import digest
from graph_service.store import Store
from graph_service.store import invitations as store_invitations
from graph_service.store.invitations import CodeRefusal

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8
# Spaces and dashes, also the long dashes phones put in for "-".
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")


@dataclass(frozen=True)
class ConnectCode:
    """A new connect code as it is shown (once; never stored) and when it stops working."""

    code: str
    expires_at: datetime


def new_code() -> str:
    """A fresh random code, ungrouped."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def shown(code: str) -> str:
    """A code as people read it: two groups of four."""
    half = LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def normalised(typed: str) -> str:
    """What someone typed, as the code it names: upper case, no dashes or spaces."""
    return _SEPARATORS.sub("", typed).upper()


def code_hash(typed: str) -> str:
    """The hash under which the code someone typed would be kept."""
    return digest(normalised(typed))


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


class ConnectCodeService:
    """Members' connect codes."""

    def __init__(self, store: Store, audit: AuditService, *, minutes: float = 24 * 60) -> None:
        self.store = store
        self.audit = audit
        self.lifetime = timedelta(minutes=minutes)

    async def create(self, principal: Principal) -> Outcome[ConnectCode]:
        """A new code for the calling member (only members make their own codes)."""
        member_id = access.require_member(principal)
        code = new_code()
        now = datetime.now(UTC)
        expires = now + self.lifetime
        refusal = await store_invitations.create_code(
            self.store,
            hash=digest(code),
            member_id=member_id,
            now=_iso(now),
            expires_at=_iso(expires),
        )
        if refusal is CodeRefusal.MEMBER_MISSING:
            return Outcome.fail(ErrorCode.NOT_FOUND, "your membership was not found")
        if refusal is CodeRefusal.MEMBER_NOT_ACTIVE:
            return Outcome.fail(
                ErrorCode.MEMBER_NOT_ACTIVE,
                "your membership is paused or has ended: a coordinator can help",
            )
        await self.audit.record(principal, "member.connect_code", member_id)
        return Outcome(ConnectCode(shown(code), expires))
