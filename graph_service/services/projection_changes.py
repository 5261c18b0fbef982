"""What a batch of change events asks of the live projection: nothing, a patch, or a reload."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from graph_service.events import Change, ChangeKind

# Changes to records the projection does not hold: applied as nothing (names are read fresh).
UNPROJECTED = frozenset(
    {
        ChangeKind.MEMBER_RENAMED,
        ChangeKind.CONSENT_GRANTED,
        ChangeKind.CONSENT_REVOKED,
        ChangeKind.TOOL_ADDED,
        ChangeKind.COLLEGE_ADDED,
        ChangeKind.COURSE_ADDED,
        ChangeKind.COURSE_CHANGED,
        ChangeKind.ORGANISATION_ADDED,
        ChangeKind.SESSION_KIND_ADDED,
        ChangeKind.SESSIONS_ADDED,  # not held yet: the projection holds sessions held
        ChangeKind.CRISIS_PLAN_SET,
    }
)
# Changes to which sessions were held and who came: the list of sessions held is read again.
PROGRAMME = frozenset(
    {ChangeKind.REGISTER_TAKEN, ChangeKind.SESSION_CANCELLED, ChangeKind.ATTENDANCE_IMPORTED}
)
# Past this many members in one batch of changes a full reload is about as quick.
MAX_PATCH_MEMBERS = 5_000


@dataclass(frozen=True)
class Asked:
    """What a batch asks: a full reload, or the members to read again and the programme."""

    reload: bool
    touched: frozenset[str] = frozenset()
    programme: bool = False


def asked_by(batch: Iterable[Change]) -> Asked:
    """What applying these changes takes."""
    touched: set[str] = set()
    programme = False
    for change in batch:
        if change.kind in PROGRAMME:
            programme = True
        elif change.kind is ChangeKind.RELOAD or (
            not change.members and change.kind not in UNPROJECTED
        ):
            return Asked(reload=True)  # a change that does not say what it touched
        if change.kind not in UNPROJECTED:
            touched.update(change.members)
    if len(touched) > MAX_PATCH_MEMBERS:
        return Asked(reload=True)
    return Asked(False, frozenset(touched), programme)
