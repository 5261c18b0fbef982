"""STOPPED_ATTENDING, and programme sessions as recent activity, in the isolation report."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from graph_service.analysis import isolation_report
from graph_service.analysis.activity import last_activity
from graph_service.analysis.projection import programme_of
from graph_service.analysis.stopped import StoppedRule
from tests.analysis_graphs import TODAY, Rows

RULE = StoppedRule(first=4, at_least=2, last=2)  # a window of six sessions
WRAP, PEERS = "WRAP class", "Peer group"


def _weekly(rows: Rows, kind: str, count: int, *, last: date = TODAY) -> list[str]:
    """``count`` weekly sessions of a kind, the last on ``last``; their ids, oldest first."""
    ids = [f"{kind[:4].lower()}-{n}" for n in range(count)]
    for n, session_id in enumerate(ids):
        rows.session(session_id, last - timedelta(weeks=count - 1 - n), kind)
    return ids


def _network() -> Rows:
    """One member, well supported, so STOPPED_ATTENDING is all the report can say of them."""
    rows = Rows().member("m", "a", "b").person("fam")
    for one, other in (("m", "a"), ("a", "b"), ("b", "m"), ("m", "b"), ("a", "m"), ("b", "a")):
        rows.tie(one, other, "PEER")
    return rows.tie("m", "fam", "FAMILY").helped("a", "m").helped("m", "a")


def _reasons(rows: Rows, rule: StoppedRule = RULE) -> tuple[str, ...]:
    found = isolation_report(rows.build(), today=TODAY, stopped=rule)
    return next((m.reasons for m in found if m.member_id == "m"), ())


@pytest.mark.parametrize(
    ("held", "came", "stopped"),
    [
        (6, [0, 1, 2], True),
        (6, [0, 1, 5], False),
        (6, [0, 1, 4], False),
        (6, [0], False),
        (6, [2, 3], True),
        (10, [0, 1, 2, 3], False),
        (4, [0, 1], True),
        (3, [0], False),
        (2, [], False),
    ],
    ids=[
        "came-then-stopped",
        "came-to-the-last",
        "came-to-one-of-the-last-two",
        "too-few-at-first",
        "exactly-at-least",
        "stopped-before-the-window",
        "short-run-judged-on-what-there-is",
        "short-run-too-few-at-first",
        "never-came",
    ],
)
def test_stopped_attending_rule(held: int, came: list[int], stopped: bool) -> None:
    rows = _network()
    sessions = _weekly(rows, WRAP, held)
    rows.came("m", *(sessions[n] for n in came))
    assert ("STOPPED_ATTENDING" in _reasons(rows)) is stopped


def test_only_the_kinds_a_member_comes_to_count() -> None:
    rows = _network()
    wrap = _weekly(rows, WRAP, 6)
    _weekly(rows, PEERS, 6, last=TODAY - timedelta(days=2))
    # All six WRAP classes: the peer group, which they never came to, is not their run.
    rows.came("m", *wrap)
    assert _reasons(rows) == ()


def test_still_coming_to_another_kind_is_not_stopping() -> None:
    rows = _network()
    wrap = _weekly(rows, WRAP, 6)
    peers = _weekly(rows, PEERS, 6, last=TODAY - timedelta(days=2))
    rows.came("m", *wrap[:3]).came("m", *peers)
    assert _reasons(rows) == ()
    # Stopping both is stopping: the run is both kinds' sessions, so the window is the last
    # three weeks (peer group, then WRAP class, each week).
    rows.attendance = [("m", s) for s in wrap[:4] + peers[:5]]
    assert _reasons(rows) == ("STOPPED_ATTENDING",)


def test_sessions_after_today_are_not_counted() -> None:
    rows = _network()
    sessions = _weekly(rows, WRAP, 6)
    rows.session("later-1", TODAY + timedelta(days=1)).session("later-2", TODAY + timedelta(days=8))
    rows.came("m", *sessions)
    assert _reasons(rows) == ()


def test_members_outside_the_report_statuses_are_not_judged() -> None:
    rows = _network().member("resting", status="PAUSED")
    sessions = _weekly(rows, WRAP, 6)
    rows.came("resting", *sessions[:3])
    found = isolation_report(rows.build(), today=TODAY, stopped=RULE)
    assert all(m.member_id != "resting" for m in found)


@pytest.mark.parametrize(
    ("days_ago", "recent"),
    [(0, True), (90, True), (91, False), (-1, False)],
    ids=["today", "window-edge", "just-outside", "future"],
)
def test_a_session_attended_is_recent_activity(days_ago: int, recent: bool) -> None:
    rows = Rows().member("m").person("p", "q").tie("m", "p").tie("m", "q")
    rows.session("s", TODAY - timedelta(days=days_ago)).came("m", "s")
    reasons = {m.member_id: m.reasons for m in isolation_report(rows.build(), today=TODAY)}
    assert ("NO_RECENT_ACTIVITY" in reasons["m"]) is not recent


def test_last_activity_counts_the_day_of_a_session() -> None:
    rows = Rows().member("m", "n").helped("m", "n", on="2026-03-01")
    rows.session("s", "2026-04-02").came("m", "s")
    assert last_activity(rows.build()) == {"m": date(2026, 4, 2), "n": date(2026, 3, 1)}


def test_attendance_of_a_session_not_held_is_not_in_the_projection() -> None:
    # Rows name only sessions held; a register row for any other is skipped, never guessed at.
    rows = Rows().member("m").session("s", TODAY).came("m", "s", "cancelled").came("x", "s")
    programme = programme_of(rows.build())
    assert programme.attended == {"m": ("s",)}
    assert programme.attendees == {"s": ("m",)}
