"""Supporter suggestions weighing programme sessions attended together, counted by hand."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from graph_service.analysis import supporter_suggestions
from tests.analysis_graphs import TODAY, Rows

WRAP, PEERS = "WRAP class", "Peer group"


def _held(
    rows: Rows,
    name: str,
    times: int,
    size: int,
    came: tuple[str, ...],
    kind: str = WRAP,
    *,
    last: date = TODAY,
) -> None:
    """``times`` sessions, three days apart up to ``last``, each with ``size`` members on the
    register: those who ``came`` and PAUSED members who make up the number (never offered)."""
    extra = [f"{name}-extra-{n}" for n in range(size - len(came))]
    rows.member(*extra, status="PAUSED")
    for n in range(times):
        session_id = f"{name}-{n}"
        rows.session(session_id, last - timedelta(days=3 * n), kind)
        for member in (*came, *extra):
            rows.came(member, session_id)


def test_the_score_is_the_documented_formula() -> None:
    rows = Rows().member("seeker", "a", "b", "c", "d", "bridge")
    rows.enrol("seeker", "sc-guitar").enrol("a", "sc-guitar").enrol("d", "sc-guitar")
    rows.session("s1", TODAY, WRAP).came("seeker", "s1").came("a", "s1").came("b", "s1")
    rows.session("s2", TODAY - timedelta(days=3), PEERS).came("seeker", "s2").came("a", "s2")
    rows.session("s3", TODAY - timedelta(days=7), WRAP)
    rows.came("seeker", "s3").came("a", "s3").came("b", "s3").came("c", "s3")
    rows.session("alone", TODAY, PEERS).came("seeker", "alone")  # size 1: shared with nobody
    rows.tie("seeker", "bridge", "PEER").tie("c", "bridge", "PEER")  # c: a friend of a friend
    found = supporter_suggestions(rows.build(), "seeker", today=TODAY)
    # a: the course (deg 3), s1 (size 3), s2 (size 2), s3 (size 4); b: s1, s3; c: s3 + bonus.
    expected = {
        "a": 1 / math.log(3) + 1 / math.log(3) + 1 / math.log(2) + 1 / math.log(4),
        "b": 1 / math.log(3) + 1 / math.log(4),
        "c": 1 / math.log(4) + 0.5,
        "d": 1 / math.log(3),
    }
    assert [s.member_id for s in found] == ["a", "b", "c", "d"]
    assert {s.member_id: s.score for s in found} == pytest.approx(expected)
    shared = {
        s.member_id: (s.shared_courses, s.shared_sessions, s.shared_session_kinds) for s in found
    }
    assert shared == {
        "a": (("sc-guitar",), 3, (WRAP, PEERS)),  # two WRAP classes, one peer group
        "b": ((), 2, (WRAP,)),
        "c": ((), 1, (WRAP,)),
        "d": (("sc-guitar",), 0, ()),
    }


@pytest.mark.parametrize(
    ("small", "times", "large"),
    [(4, 8, 30), (10, 2, 25), (20, 2, 25), (10, 2, 10)],
    ids=[
        "four-eight-times-beats-thirty-once",
        "ten-twice-beats-twenty-five-once",
        "twenty-twice-beats-twenty-five-once",
        "same-size-twice-beats-once",
    ],
)
def test_a_small_group_shared_often_beats_a_large_one_shared_once(
    small: int, times: int, large: int
) -> None:
    rows = Rows().member("seeker", "regular", "crowd")
    _held(rows, "small", times, small, ("seeker", "regular"))
    _held(rows, "large", 1, large, ("seeker", "crowd"), PEERS)
    found = supporter_suggestions(rows.build(), "seeker", today=TODAY)
    assert [(s.member_id, s.shared_sessions) for s in found] == [("regular", times), ("crowd", 1)]
    assert [s.score for s in found] == pytest.approx([times / math.log(small), 1 / math.log(large)])


@pytest.mark.parametrize(
    ("on", "counts", "options"),
    [
        (TODAY, True, {}),
        (TODAY - timedelta(days=365), True, {}),
        (TODAY - timedelta(days=366), False, {}),
        (date(2024, 6, 1), False, {}),
        (TODAY + timedelta(days=1), False, {}),
        (TODAY - timedelta(days=30), True, {"session_days": 30}),
        (TODAY - timedelta(days=31), False, {"session_days": 30}),
    ],
    ids=[
        "today",
        "a-year-ago-to-the-day",
        "a-year-and-a-day-ago",
        "two-years-ago",
        "after-today",
        "inside-a-shorter-period",
        "outside-a-shorter-period",
    ],
)
def test_only_recent_sessions_make_a_candidate(
    on: date, counts: bool, options: dict[str, int]
) -> None:
    # Sharing one session and nothing else: counted, it alone makes the peer a candidate.
    rows = Rows().member("seeker", "peer").session("s", on).came("seeker", "s").came("peer", "s")
    found = supporter_suggestions(rows.build(), "seeker", today=TODAY, **options)
    expected = [("peer", 1, 1 / math.log(2))] if counts else []
    assert [(s.member_id, s.shared_sessions, s.score) for s in found] == expected


def test_old_sessions_add_nothing_to_a_course_shared() -> None:
    rows = Rows().member("seeker", "peer").enrol("seeker", "sc-guitar").enrol("peer", "sc-guitar")
    _held(rows, "old", 10, 2, ("seeker", "peer"), last=TODAY - timedelta(days=400))
    found = supporter_suggestions(rows.build(), "seeker", today=TODAY)
    assert [(s.member_id, s.shared_sessions, s.score) for s in found] == [
        ("peer", 0, 1 / math.log(2))
    ]


@pytest.mark.parametrize(
    ("status", "tie", "offered"),
    [("ACTIVE", None, True), ("PAUSED", None, False), ("ACTIVE", "INVITED", False)],
    ids=["active-peer", "paused-peer-not-offered", "already-invited-not-offered"],
)
def test_session_candidates_pass_the_same_checks(
    status: str, tie: str | None, offered: bool
) -> None:
    rows = Rows().member("seeker").member("peer", status=status)
    rows.session("s", TODAY).came("seeker", "s").came("peer", "s")
    if tie:
        rows.tie("seeker", "peer", "PEER", tie)
    found = supporter_suggestions(rows.build(), "seeker", today=TODAY)
    assert [s.member_id for s in found] == (["peer"] if offered else [])
