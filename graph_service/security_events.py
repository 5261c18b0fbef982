"""Security events: refused requests (UNAUTHENTICATED, FORBIDDEN), coalesced in memory.

Noting a refusal does no I/O. Refusals with the same minute, kind, reason, actor and client
add to one count, so 10,000 bad tokens in a minute from one address become one record with
count 10,000; past `MAX_KEYS` distinct records waiting, further ones are counted together in
one overflow record per minute and kind. `services.security` writes them out in batches.

No personal data: the actor is an id (as in the audit trail), and the client's address is
kept only as a keyed hash that changes every day (see `client_hash`).
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

MAX_REASON = 120
MAX_KEYS = 1_000
OVERFLOW_REASON = "more kinds of refusal than could be told apart"


class SecurityEventKind(enum.Enum):
    """What was refused: no valid credentials, or an operation the caller may not do."""

    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"


@dataclass(frozen=True)
class SecurityEvent:
    """Refusals of one kind, reason, actor and client within one minute, with their count."""

    id: str
    at: str  # the first refusal
    last_at: str  # the last refusal
    kind: SecurityEventKind
    reason: str
    actor_id: str | None  # the principal's global id or subject, when a token verified
    client_hash: str | None  # a keyed, daily hash of the client's address
    request_id: str  # the server's id of the first refused request: it finds the log lines
    count: int


def client_hash(address: str, key: bytes, day: str) -> str:
    """A pseudonym for a client address: HMAC-SHA256 over the day and address, 16 hex digits."""
    # Keyed, so that nobody without the key can test the 2^32 IPv4 addresses; with the day,
    # so that the same address cannot be followed from one day to the next.
    return hmac.new(key, f"{day}|{address}".encode(), hashlib.sha256).hexdigest()[:16]


def event_id(minute: str, kind: SecurityEventKind, reason: str, *who: str | None) -> str:
    """The record's id: the same for the same minute, kind, reason and who (on any replica)."""
    text = "|".join([minute, kind.value, reason, *(w or "" for w in who)])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(slots=True)
class _Tally:
    """A record being counted: first and last time, the first request's id, the count."""

    first: str
    last: str
    request_id: str
    count: int


# (minute, kind, reason, actor id, client hash)
_Key = tuple[str, SecurityEventKind, str, str | None, str | None]


class SecurityEventBuffer:
    """Refusals waiting to be written, one record per (minute, kind, reason, actor, client)."""

    def __init__(self, max_keys: int = MAX_KEYS) -> None:
        self.max_keys = max_keys
        self._pending: dict[_Key, _Tally] = {}

    def __len__(self) -> int:
        return len(self._pending)

    def note(
        self,
        kind: SecurityEventKind,
        reason: str,
        *,
        at: datetime,
        actor_id: str | None,
        client: str | None,
        request_id: str,
    ) -> None:
        """Count one refusal."""
        stamp = at.isoformat(timespec="milliseconds")
        key: _Key = (stamp[:16], kind, reason[:MAX_REASON], actor_id, client)
        tally = self._pending.get(key)
        if tally is None and len(self._pending) >= self.max_keys:
            key = (stamp[:16], kind, OVERFLOW_REASON, None, None)
            tally = self._pending.get(key)
        if tally is None:
            self._pending[key] = _Tally(stamp, stamp, request_id, 1)
        else:
            tally.last = max(tally.last, stamp)
            tally.count += 1

    def drain(self) -> list[SecurityEvent]:
        """Everything waiting, which is then no longer held."""
        pending, self._pending = self._pending, {}
        return [
            SecurityEvent(event_id(*key), t.first, t.last, *key[1:], t.request_id, t.count)
            for key, t in pending.items()
        ]

    def restore(self, events: list[SecurityEvent]) -> int:
        """Hold again records that could not be written; returns how many were dropped."""
        # Bounded too: when the graph is away for long, the oldest records are the ones kept.
        dropped = 0
        for e in events:
            key: _Key = (e.at[:16], e.kind, e.reason, e.actor_id, e.client_hash)
            tally = self._pending.get(key)
            if tally is not None:
                if e.at < tally.first:
                    tally.first, tally.request_id = e.at, e.request_id
                tally.last = max(tally.last, e.last_at)
                tally.count += e.count
            elif len(self._pending) < 2 * self.max_keys:
                self._pending[key] = _Tally(e.at, e.last_at, e.request_id, e.count)
            else:
                dropped += 1
        return dropped
