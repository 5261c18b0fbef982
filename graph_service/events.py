"""Domain change events: what a committed write changed, named by ids only.

Every write use-case in `services/` makes one `Change` (imports one per batch) and records it
with `store.changes.record(store, change)`: the change joins the write's own transaction as a
`(:Change)` node (so it commits with the write or not at all), and once that transaction
commits it is published in this process through the store's `ChangeHub`. Other replicas read
the same node from the change log (services.change_log explains the polling). A change
carries the member ids it touches, a kind and a time, never a name or a health detail.
"""

from __future__ import annotations

import enum
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from graph_service.ids import new_id

log = logging.getLogger(__name__)


class ChangeKind(enum.Enum):
    """What kind of write a change stands for."""

    MEMBER_REGISTERED = "member.registered"
    MEMBER_RENAMED = "member.renamed"
    MEMBER_STATUS = "member.status"
    MEMBER_ERASED = "member.erased"
    TIE_ADDED = "tie.added"
    TIE_ACCEPTED = "tie.accepted"
    TIE_DECLINED = "tie.declined"
    TIE_CHANGED = "tie.changed"
    TIE_ENDED = "tie.ended"
    HELP_RECORDED = "help.recorded"
    HELP_CONFIRMED = "help.confirmed"
    HELP_REJECTED = "help.rejected"
    ENROLMENT_LINKED = "enrolment.linked"
    ENROLMENT_UPDATED = "enrolment.updated"
    CONSENT_GRANTED = "consent.granted"
    CONSENT_REVOKED = "consent.revoked"
    TOOLS_SET = "tools.set"
    TOOL_ADDED = "tool.added"
    COLLEGE_ADDED = "college.added"
    COURSE_ADDED = "course.added"
    COURSE_CHANGED = "course.changed"
    ORGANISATION_ADDED = "organisation.added"
    MEMBERS_IMPORTED = "members.imported"
    TIES_IMPORTED = "ties.imported"
    ENROLMENTS_IMPORTED = "enrolments.imported"
    SESSION_KIND_ADDED = "session_kind.added"
    SESSIONS_ADDED = "sessions.added"
    SESSION_CANCELLED = "session.cancelled"
    REGISTER_TAKEN = "register.taken"
    ATTENDANCE_IMPORTED = "attendance.imported"
    CRISIS_PLAN_SET = "crisis_plan.set"
    # The graph changed in ways no change names (a restore, a demo load, `report --reload`,
    # a write that did not say what it changed): every replica reloads its projection.
    RELOAD = "graph.reload"


@dataclass(frozen=True)
class Change:
    """One committed write: its kind, the members it touches, when, and which process made it."""

    id: str
    at: str  # ISO-8601 UTC with milliseconds, the writer's clock
    kind: ChangeKind
    members: tuple[str, ...]
    origin: str = ""  # the writing process's ChangeHub (set when recorded)


def change(kind: ChangeKind, *members: str) -> Change:
    """A new change of this kind touching these members (empty ids and repeats dropped)."""
    at = datetime.now(UTC).isoformat(timespec="milliseconds")
    return Change(new_id(), at, kind, tuple(dict.fromkeys(m for m in members if m)))


Listener = Callable[[Change], None]
REMEMBERED = 10_000  # published ids kept: far more than one read of the change log returns


class ChangeHub:
    """Fan-out of committed changes inside one process: this process's and other replicas'."""

    def __init__(self) -> None:
        # Names this process in the change log (which process wrote what, for people).
        self.origin = new_id()[:16]
        self._listeners: list[Listener] = []
        # The ids published lately: the change log's reader hands every change it reads,
        # this process's included, and each is published once.
        self._published: OrderedDict[str, None] = OrderedDict()
        # When the change log was last read in full (monotonic), None while nobody reads it:
        # the analyses trust their projection only as long as this is recent.
        self.confirmed_at: float | None = None

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every change published from now on; returns how to stop."""
        self._listeners.append(listener)

        def stop() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return stop

    def publish(self, change: Change) -> bool:
        """Hand a committed change to every listener, once; False if it was handed before."""
        if change.id in self._published:
            return False
        self._published[change.id] = None
        if len(self._published) > REMEMBERED:
            self._published.popitem(last=False)
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception:
                # One faulty listener must not keep the change from the others.
                log.exception("a change listener failed", extra={"kind": change.kind.value})
        return True
