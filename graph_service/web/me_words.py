"""A member's access log in words: 'A coordinator viewed your circle on 3 March 2026.'"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from graph_service.domain import AuditEvent

# What each action did, said of someone else and said of the member themself. Events about a
# member name them as the target; who acted is said by role only, as the export does.
# What someone looked at: one "looked at" for all they saw in one visit.
READS: Final = {
    "member.read": "your details",
    "circle.read": "your circle",
    "help.read": "your help records",
    "enrolments.read": "your courses",
    "circle.suggestions": "who could support you",
}
ACTIONS: Final[dict[str, tuple[str, str]]] = {
    "member.register": ("made you a member", "became a member"),
    "member.update": ("changed your name", "changed your name"),
    "member.status.active": ("marked you as active", "became active"),
    "member.status.paused": ("paused your membership", "paused your membership"),
    "member.status.left": ("marked you as having left", "left the network"),
    "member.signin_link": ("made a sign-in link for you", "made a sign-in link"),
    "member.sessions_end": ("signed you out everywhere", "signed out everywhere"),
    "member.connect_code": ("made a connect code for you", "made a connect code"),
    "member.tools": ("changed your wellness tools", "changed your wellness tools"),
    "member.export": ("downloaded a copy of your data", "downloaded a copy of your data"),
    "circle.add": (
        "added a supporter to your circle, or invited you to one",
        "added someone to your circle",
    ),
    "circle.accept": ("said yes to being in your circle", "said yes to an invitation"),
    "circle.decline": ("said no to being in your circle", "said no to an invitation"),
    "circle.update": ("changed a tie in a circle you are in", "changed a tie in your circle"),
    "circle.end": ("ended a tie in a circle you are in", "ended a tie in your circle"),
    "help.record": ("recorded help with you", "recorded help"),
    "help.confirm": ("said a help record with you is right", "said a help record is right"),
    "help.reject": ("said a help record with you is wrong", "said a help record is wrong"),
    "consent.grant": (
        "started sharing your courses with a college",
        "started sharing with a college",
    ),
    "consent.revoke": ("stopped sharing with a college", "stopped sharing with a college"),
    "enrolment.link": ("added you to a course", "were added to a course"),
    "enrolment.update": ("changed one of your courses", "had a course changed"),
}
WHO: Final = {"coordinator": "A coordinator", "college": "A college", "member": "Another member"}
# Members acting on another member's data do so only through their own circle.
OTHER_MEMBER: Final = {
    "circle.add": "asked you to be in their circle",
    "circle.end": "ended a tie with you",
    "circle.update": "changed what you are to them",
}


@dataclass(frozen=True)
class LogLine:
    """One thing that happened to the member's data, in words."""

    at: str  # ISO time of the first event
    who: str
    did: str

    @property
    def sentence(self) -> str:
        """'A coordinator looked at your circle'."""
        return f"{self.who} {self.did}"


def _did(event: AuditEvent, own: bool) -> str:
    if not own and event.actor_role == "member" and event.action in OTHER_MEMBER:
        return OTHER_MEMBER[event.action]
    others, mine = ACTIONS.get(event.action, ("used your data", "used your data"))
    return mine if own else others


def _said(found: Sequence[AuditEvent], own: bool) -> str:
    """What one person did in one visit: 'looked at your details and your circle'."""
    seen = {e.action for e in found}
    looked = [noun for action, noun in READS.items() if action in seen]
    did = ["looked at " + _joined(looked)] if looked else []
    ordered = sorted((e for e in found if e.action not in READS), key=lambda e: e.at)
    did += dict.fromkeys(_did(e, own) for e in ordered)
    return _joined(did)


def _joined(parts: Sequence[str]) -> str:
    """'a, b and c'."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def log_lines(events: Sequence[AuditEvent], member_global_id: str | None) -> list[LogLine]:
    """The events in words, newest first; what one person did in one request is one line."""
    groups: dict[tuple[str, str], list[AuditEvent]] = {}
    for event in events:
        # Events made outside a request (the command line) have no request id to join them.
        request = event.request_id if event.request_id not in ("", "-") else event.id
        key = (request, event.actor_id)
        groups.setdefault(key, []).append(event)
    lines = []
    for (_, actor), found in groups.items():
        own = actor == member_global_id
        who = "You" if own else WHO.get(found[0].actor_role, "Someone")
        lines.append(LogLine(found[0].at, who, _said(found, own)))
    return lines
