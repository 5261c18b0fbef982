"""Hand-made projections for the analysis tests, written row by row as the loader would."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from graph_service.analysis.projection import (
    AttendanceRow,
    EnrolmentRow,
    HelpRow,
    MemberRow,
    Projection,
    SessionRow,
    SupporterRow,
    TieRow,
    ToolRow,
    build_projection,
)

TODAY = date(2026, 6, 1)
RECENT = "2026-05-01"  # 31 days before TODAY: inside the default 90-day window
OLD = "2025-01-01"  # well outside it


@dataclass
class Rows:
    """Rows of a small network, added one fact at a time."""

    members: list[MemberRow] = field(default_factory=list)
    supporters: list[SupporterRow] = field(default_factory=list)
    ties: list[TieRow] = field(default_factory=list)
    help: list[HelpRow] = field(default_factory=list)
    enrolments: list[EnrolmentRow] = field(default_factory=list)
    tools: list[ToolRow] = field(default_factory=list)
    sessions: list[SessionRow] = field(default_factory=list)
    attendance: list[AttendanceRow] = field(default_factory=list)

    def member(self, *ids: str, status: str = "ACTIVE", since: str = "2024-01-01") -> Rows:
        """Members with this status."""
        self.members.extend((member_id, status, since) for member_id in ids)
        return self

    def person(self, *ids: str) -> Rows:
        """Non-member people."""
        self.supporters.extend((person_id, "person") for person_id in ids)
        return self

    def organisation(self, *ids: str) -> Rows:
        """Organisations."""
        self.supporters.extend((org_id, "organisation") for org_id in ids)
        return self

    def tie(
        self, member: str, supporter: str, relation: str = "FRIEND", status: str = "ACTIVE"
    ) -> Rows:
        """One tie: member -[SUPPORTED_BY]-> supporter (its id says who and whom)."""
        self.ties.append((f"{member}>{supporter}", member, supporter, relation, status))
        return self

    def helped(
        self, giver: str, receiver: str, *, confirmed: bool = True, on: str = RECENT
    ) -> Rows:
        """One help record."""
        self.help.append((giver, receiver, confirmed, on))
        return self

    def enrol(
        self,
        member: str,
        course: str,
        status: str = "ENROLLED",
        on: str = RECENT,
        completed: str | None = None,
    ) -> Rows:
        """One enrolment."""
        self.enrolments.append((member, course, status, on, completed))
        return self

    def practises(self, member: str, *tools: str) -> Rows:
        """Wellness tools a member practises."""
        self.tools.extend((member, tool) for tool in tools)
        return self

    def session(self, session_id: str, on: str | date, kind: str = "WRAP class") -> Rows:
        """One session held (a register taken, not cancelled)."""
        self.sessions.append((session_id, on, kind))
        return self

    def came(self, member: str, *session_ids: str) -> Rows:
        """A member on these sessions' registers."""
        self.attendance.extend((member, session_id) for session_id in session_ids)
        return self

    def build(self) -> Projection:
        """The projection of these rows."""
        return build_projection(
            self.members,
            self.supporters,
            self.ties,
            self.help,
            self.enrolments,
            self.tools,
            self.sessions,
            self.attendance,
        )


def isolation_network() -> Rows:
    """One member per isolation reason, around a well-supported core (see the test for why)."""
    rows = Rows().member("a", "b", "c", "d", "nosup", "below", "paid", "pending", "giver", "stale")
    rows.member("resting", status="PAUSED").member("gone", status="LEFT")
    rows.person("fam-a", "fam-b", "fam-c", "fam-d", "fam-stale", "friend-below", "worker")
    rows.organisation("sefton-peer-network")
    # a, b and c support each other in a ring, each with family too; stale hangs off a.
    for member, peer in (("a", "b"), ("b", "c"), ("c", "a"), ("stale", "a")):
        rows.tie(member, peer, "PEER").tie(member, f"fam-{member}", "FAMILY")
    rows.enrol("a", "sc-guitar").helped("b", "c")
    # giver supports d (d's tie names giver), but has nobody (one ENDED tie) and gets no help.
    rows.tie("d", "giver", "PEER").tie("d", "fam-d", "FAMILY").enrol("d", "wc-tai-chi")
    rows.tie("giver", "fam-a", "FAMILY", "ENDED").enrol("giver", "sc-guitar", "WITHDRAWN")
    rows.enrol("nosup", "lccc-pottery")
    rows.tie("below", "friend-below").helped("a", "below")
    rows.tie("paid", "worker", "PROFESSIONAL").tie("paid", "sefton-peer-network", "ORGANISATION")
    rows.enrol("paid", "sc-wrap-intro", "COMPLETED", on=OLD, completed=RECENT)
    rows.tie("pending", "a", "PEER", "INVITED").enrol("pending", "sc-guitar")
    # stale's activity is all too old, or unconfirmed.
    rows.enrol("stale", "sc-guitar", "COMPLETED", on=OLD, completed="2025-03-01")
    rows.helped("stale", "a", on="2025-06-01").helped("a", "stale", confirmed=False)
    return rows


def summary_network() -> Rows:
    """Six ACTIVE members, one PAUSED, one LEFT, for hand-counted summary figures."""
    rows = Rows().member("m1", "m2", "m3", "m4", "m5", "m6")
    rows.member("p1", status="PAUSED").member("l1", status="LEFT")
    rows.person("fam1", "fam5").organisation("lccc-support")
    rows.tie("m1", "m2", "PEER").tie("m2", "m1", "PEER").tie("m1", "fam1", "FAMILY")
    rows.tie("m2", "m3", "PEER").tie("m3", "m2", "PEER", "INVITED")
    rows.tie("m3", "lccc-support", "ORGANISATION")
    rows.tie("m4", "p1", "PEER")  # to a PAUSED member: a tie, but not a member-network link
    rows.tie("m5", "fam5", "FAMILY", "ENDED").tie("m4", "m5", "PEER", "DECLINED")
    rows.tie("p1", "m6", "PEER")  # m6 supports a PAUSED member, so is no isolate
    rows.tie("l1", "fam1", "FAMILY", "ENDED")
    return rows


def suggestion_network() -> Rows:
    """A seeker, peers who share a course or tool with them, and peers who must not be offered.

    Participants (non-WITHDRAWN) per interest: sc-guitar: seeker g1 g2 busy resting = 5;
    music: seeker g2 invited-by-seeker invited-seeker ended = 5; walking: seeker tc fof = 3;
    wc-tai-chi: seeker only (tc withdrew); lccc-pottery: potter only (seeker withdrew).
    """
    rows = Rows().member(
        "seeker", "g1", "g2", "tc", "fof", "bridge", "busy", "potter", "ended", "s1", "s2"
    )
    rows.member("invited-by-seeker", "invited-seeker", "s3", "s4").member(
        "resting", status="PAUSED"
    )
    rows.person("fam")
    rows.enrol("seeker", "sc-guitar").enrol("seeker", "wc-tai-chi", "COMPLETED")
    rows.enrol("seeker", "lccc-pottery", "WITHDRAWN").practises("seeker", "music", "walking")
    rows.enrol("g1", "sc-guitar").enrol("g2", "sc-guitar", "COMPLETED").practises("g2", "music")
    rows.enrol("tc", "wc-tai-chi", "WITHDRAWN").practises("tc", "walking")
    rows.practises("fof", "walking").enrol("potter", "lccc-pottery")
    rows.enrol("busy", "sc-guitar").enrol("resting", "sc-guitar")
    rows.practises("invited-by-seeker", "music").practises("invited-seeker", "music")
    rows.practises("ended", "music")
    # bridge supports both seeker and fof: they are friends of a friend.
    rows.tie("seeker", "bridge", "PEER").tie("fof", "bridge", "PEER")
    rows.tie("seeker", "invited-by-seeker", "PEER", "INVITED")
    rows.tie("invited-seeker", "seeker", "FRIEND", "INVITED")
    rows.tie("seeker", "ended", "FRIEND", "ENDED").tie("seeker", "fam", "FAMILY")
    # busy already carries four open ties: at the default max_supporting of 4.
    for member, status in (("s1", "ACTIVE"), ("s2", "INVITED"), ("s3", "ACTIVE"), ("s4", "ACTIVE")):
        rows.tie(member, "busy", "PEER", status)
    return rows


def load_network() -> Rows:
    """hub (a member) supports 5 ACTIVE members, worker 4, helper 3 (+1 PAUSED, +1 ENDED)."""
    members = [f"m{i}" for i in range(6)]
    rows = Rows().member("hub", *members).member("resting", status="PAUSED")
    rows.person("worker", "helper").organisation("sefton-peer-network")
    for member in members[:5]:
        rows.tie(member, "hub", "PEER")
    for member in members[:4]:
        rows.tie(member, "worker", "PROFESSIONAL")
    for member in members[:3]:
        rows.tie(member, "helper")
    rows.tie("resting", "helper").tie("m5", "helper", status="ENDED")
    for member in members:
        rows.tie(member, "sefton-peer-network", "ORGANISATION")  # organisations are not counted
    return rows
