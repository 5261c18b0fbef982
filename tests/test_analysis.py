"""The analyses of DESIGN.md §7 on small hand-made projections (no database), and the generator."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from graph_service.analysis import (
    FragileCircle,
    IsolatedMember,
    NetworkSummary,
    SupporterLoad,
    build_from_rows,
    fragile_circles,
    isolation_report,
    network_summary,
    supporter_load,
    supporter_suggestions,
)
from graph_service.analysis.projection import course_node, tool_node
from graph_service.analysis.synthetic import (
    CIRCLE_SIZE_WEIGHTS,
    COURSES,
    ORGANISATIONS,
    SYNTHETIC_TODAY,
    TOOLS,
    synthetic_rows,
)
from tests.analysis_graphs import (
    OLD,
    RECENT,
    TODAY,
    Rows,
    isolation_network,
    load_network,
    suggestion_network,
    summary_network,
)

# --- projection ---------------------------------------------------------------------------


def test_projection_nodes_and_edges() -> None:
    rows = Rows().member("m1", since="2023-04-05").member("m2", status="PAUSED").person("p")
    rows.organisation("lccc-support").supporters.append(("m2", "person"))  # a member supporter
    rows.tie("m1", "p", "FAMILY").tie("m1", "m2", "PEER", "INVITED").helped("m2", "m1")
    rows.enrol("m1", "sc-guitar", "COMPLETED", on=OLD, completed=RECENT).practises("m1", "music")
    g = rows.build()
    assert g.nodes["m1"] == {"kind": "member", "status": "ACTIVE", "member_since": date(2023, 4, 5)}
    assert g.nodes["m2"]["kind"] == "member"  # listed as a supporter too, still the member node
    assert g.nodes["p"] == {"kind": "person"}
    assert g.nodes["lccc-support"] == {"kind": "organisation"}
    assert g.nodes[course_node("sc-guitar")] == {"kind": "course"}
    assert g.nodes[tool_node("music")] == {"kind": "tool"}
    assert g.edges["m1", "m2", "m1>m2"] == {
        "type": "SUPPORTED_BY",
        "relation": "PEER",
        "status": "INVITED",
    }
    assert g.get_edge_data("m2", "m1") == {
        0: {"type": "HELPED", "confirmed": True, "on": date(2026, 5, 1)}
    }
    assert g.get_edge_data("m1", ("course", "sc-guitar")) == {
        0: {
            "type": "ENROLLED_IN",
            "status": "COMPLETED",
            "enrolled_on": date(2025, 1, 1),
            "completed_on": date(2026, 5, 1),
        }
    }
    assert g.get_edge_data("m1", ("tool", "music")) == {0: {"type": "PRACTISES"}}


def test_projection_skips_rows_naming_unknown_nodes_and_repeated_tools() -> None:
    rows = Rows().member("m1", "m2").person("p")
    rows.tie("m1", "ghost").tie("ghost", "p").tie("p", "m1").tie("m1", "p")
    rows.helped("m1", "ghost").enrol("ghost", "sc-guitar").practises("ghost", "music")
    rows.practises("m1", "music", "music")
    g = rows.build()
    assert "ghost" not in g
    assert set(g.edges(keys=True)) == {("m1", "p", "m1>p"), ("m1", ("tool", "music"), 0)}


def test_projection_shares_vocabulary_and_dates() -> None:
    # Fresh string objects per row, as a driver hands them out.
    rows = Rows().member("m1", "m2").person("p")
    rows.tie("m1", "p", "".join(["FAM", "ILY"]), "".join(["ACT", "IVE"]))
    rows.tie("m2", "p", "".join(["FAM", "ILY"]), "".join(["ACT", "IVE"]))
    g = rows.build()
    one, two = g.edges["m1", "p", "m1>p"], g.edges["m2", "p", "m2>p"]
    assert one["relation"] is two["relation"] and one["status"] is two["status"]
    assert g.nodes["m1"]["member_since"] is g.nodes["m2"]["member_since"]


# --- isolation ----------------------------------------------------------------------------

EXPECTED_REASONS = {
    "NO_SUPPORTERS": {"nosup", "giver"},  # giver's only tie is ENDED
    "BELOW_THRESHOLD": {"below", "pending"},  # 1 ACTIVE tie; 0 ACTIVE but 1 INVITED
    "ONLY_PAID_SUPPORT": {"paid"},
    "ONLY_PENDING": {"pending"},
    "GIVES_NOT_RECEIVES": {"giver"},  # d's ACTIVE tie names giver
    # components: {a,b,c,stale} 4, {d,giver} 2, and nosup, below, paid, pending alone
    "SMALL_COMPONENT": {"nosup", "below", "paid", "pending", "giver", "d"},
    "NO_RECENT_ACTIVITY": {"stale"},  # old enrolment, old help, recent help unconfirmed
}


@pytest.mark.parametrize(
    ("reason", "members"), list(EXPECTED_REASONS.items()), ids=list(EXPECTED_REASONS)
)
def test_isolation_reason_is_given_to_exactly_these_members(reason: str, members: set[str]) -> None:
    report = isolation_report(isolation_network().build(), today=TODAY)
    assert {m.member_id for m in report if reason in m.reasons} == members


def test_isolation_report_in_full_and_in_order() -> None:
    report = isolation_report(isolation_network().build(), today=TODAY)
    # most reasons first, then fewest ACTIVE supporters, then id; a, b and c have no reason,
    # resting (PAUSED) and gone (LEFT) are not ACTIVE.
    assert report == [
        IsolatedMember("giver", ("NO_SUPPORTERS", "GIVES_NOT_RECEIVES", "SMALL_COMPONENT"), 0),
        IsolatedMember("pending", ("BELOW_THRESHOLD", "ONLY_PENDING", "SMALL_COMPONENT"), 0),
        IsolatedMember("nosup", ("NO_SUPPORTERS", "SMALL_COMPONENT"), 0),
        IsolatedMember("below", ("BELOW_THRESHOLD", "SMALL_COMPONENT"), 1),
        IsolatedMember("paid", ("ONLY_PAID_SUPPORT", "SMALL_COMPONENT"), 2),
        IsolatedMember("d", ("SMALL_COMPONENT",), 2),
        IsolatedMember("stale", ("NO_RECENT_ACTIVITY",), 2),
    ]


@pytest.mark.parametrize(
    ("options", "member", "reasons"),
    [
        ({"min_supporters": 1}, "below", ("SMALL_COMPONENT",)),
        ({"min_supporters": 3}, "a", ("BELOW_THRESHOLD",)),
        ({"component_size": 2}, "d", None),
        ({"component_size": 5}, "a", ("SMALL_COMPONENT",)),
        ({"recent_days": 10}, "a", ("NO_RECENT_ACTIVITY",)),
        (
            {"include_statuses": frozenset({"ACTIVE", "PAUSED"})},
            "resting",
            ("NO_SUPPORTERS", "SMALL_COMPONENT", "NO_RECENT_ACTIVITY"),
        ),
    ],
    ids=["threshold-1", "threshold-3", "component-2", "component-5", "recent-10", "paused"],
)
def test_isolation_options(
    options: dict[str, Any], member: str, reasons: tuple[str, ...] | None
) -> None:
    report = isolation_report(isolation_network().build(), today=TODAY, **options)
    assert {m.member_id: m.reasons for m in report}.get(member) == reasons


@pytest.mark.parametrize(
    ("days_ago", "recent"),
    [(0, True), (90, True), (91, False), (-1, False)],
    ids=["today", "window-edge", "just-outside", "future"],
)
def test_recent_activity_window(days_ago: int, recent: bool) -> None:
    on = (TODAY - timedelta(days=days_ago)).isoformat()
    rows = Rows().member("m", "n").person("p", "q").tie("m", "p").tie("m", "q")
    rows.tie("n", "p").tie("n", "q").helped("m", "n", on=on)
    reasons = {m.member_id: m.reasons for m in isolation_report(rows.build(), today=TODAY)}
    # both are alone in the member network (their ties are to people)
    expected = ("SMALL_COMPONENT",) if recent else ("SMALL_COMPONENT", "NO_RECENT_ACTIVITY")
    assert reasons == {"m": expected, "n": expected}


@pytest.mark.parametrize(
    ("build", "flagged"),
    [
        (lambda r: r.helped("x", "y"), True),
        (lambda r: r.helped("x", "y", confirmed=False), False),
        (lambda r: r.tie("y", "x"), True),
        (lambda r: r.tie("y", "x", status="INVITED"), False),
        (lambda r: r.tie("resting", "x"), True),
        (lambda r: r.helped("x", "y").helped("y", "x"), False),
        (lambda r: r.helped("x", "y").tie("x", "p"), False),
    ],
    ids=[
        "gave-help",
        "unconfirmed-help",
        "supports-member",
        "invited-only",
        "supports-paused-member",
        "received-help-too",
        "has-a-supporter",
    ],
)
def test_gives_not_receives(build: Callable[[Rows], Rows], flagged: bool) -> None:
    rows = Rows().member("x", "y").member("resting", status="PAUSED").person("p")
    build(rows)
    report = isolation_report(rows.build(), today=TODAY)
    assert any(m.member_id == "x" and "GIVES_NOT_RECEIVES" in m.reasons for m in report) is flagged


# --- summary ------------------------------------------------------------------------------


def test_network_summary_hand_counts() -> None:
    assert network_summary(summary_network().build()) == NetworkSummary(
        members=6,  # m1..m6
        members_by_status={"ACTIVE": 6, "PAUSED": 1, "LEFT": 1},
        active_ties=6,  # m1>m2 m2>m1 m1>fam1 m2>m3 m3>org m4>p1 (p1>m6 is from a PAUSED member)
        mean_circle_size=1.0,  # 6 ties / 6 members
        circle_size_distribution=(2, 2, 2, 0, 0, 0),  # m5 m6: 0; m3 m4: 1; m1 m2: 2
        reciprocity_rate=2 / 3,  # m1>m2 and m2>m1 returned, m2>m3 not (INVITED)
        components=4,  # {m1, m2, m3}, {m4}, {m5}, {m6}: p1 is not ACTIVE
        component_sizes=(3, 1, 1, 1),
        isolates=1,  # m5: one ENDED tie, one DECLINED invitation; m6 supports p1
    )


def test_network_summary_of_an_empty_network() -> None:
    assert network_summary(Rows().build()) == NetworkSummary(
        0, {"ACTIVE": 0, "PAUSED": 0, "LEFT": 0}, 0, 0.0, (0, 0, 0, 0, 0, 0), 0.0, 0, (), 0
    )


def test_circle_sizes_above_five_count_as_five() -> None:
    rows = Rows().member("m").person(*(f"p{i}" for i in range(7)))
    for i in range(7):
        rows.tie("m", f"p{i}")
    summary = network_summary(rows.build())
    assert summary.circle_size_distribution == (0, 0, 0, 0, 0, 1)
    assert summary.mean_circle_size == 7.0


# --- supporter load -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("min_supported", "expected"),
    [
        (4, [("hub", "member", 5), ("worker", "person", 4)]),
        (3, [("hub", "member", 5), ("worker", "person", 4), ("helper", "person", 3)]),
        (6, []),
    ],
    ids=["default-4", "three", "six"],
)
def test_supporter_load(min_supported: int, expected: list[tuple[str, str, int]]) -> None:
    loads = supporter_load(load_network().build(), min_supported=min_supported)
    assert loads == [SupporterLoad(*row) for row in expected]


# --- fragile circles ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("links", "points"),
    [
        ([("m1", "m2"), ("m2", "m3"), ("m3", "m4")], ["m2", "m3"]),
        ([("m1", "hub"), ("m2", "hub"), ("hub", "m3")], ["hub"]),
        ([("m1", "m2"), ("m2", "m3"), ("m3", "m1")], []),
    ],
    ids=["path", "star", "triangle"],
)
def test_articulation_points(links: list[tuple[str, str]], points: list[str]) -> None:
    rows = Rows().member("m1", "m2", "m3", "m4", "hub")
    for member, peer in links:
        rows.tie(member, peer, "PEER")
    found = [f for f in fragile_circles(rows.build()) if f.reason == "ARTICULATION_POINT"]
    assert found == [FragileCircle(point, "ARTICULATION_POINT", None) for point in points]


def test_articulation_points_ignore_invited_ties_and_paused_members() -> None:
    rows = Rows().member("m1", "m2", "m3").member("resting", status="PAUSED")
    rows.tie("m1", "m2", "PEER").tie("m2", "m3", "PEER", "INVITED")
    rows.tie("m2", "resting", "PEER").tie("resting", "m3", "PEER")
    assert [f for f in fragile_circles(rows.build()) if f.reason == "ARTICULATION_POINT"] == []


def test_single_personal_supporter() -> None:
    rows = Rows().member("x", "y", "z", "w", "peer").member("v", status="PAUSED")
    rows.person("fam", "friend", "worker").organisation("lccc-support")
    rows.tie("x", "fam", "FAMILY").tie("x", "worker", "PROFESSIONAL")  # one person + paid
    rows.tie("y", "fam", "FAMILY").tie("y", "friend")  # two people
    rows.tie("z", "worker", "PROFESSIONAL").tie("z", "lccc-support", "ORGANISATION")  # none
    rows.tie("w", "peer", "PEER").tie("w", "friend", status="INVITED")  # INVITED is not support
    rows.tie("w", "fam", "FAMILY", "ENDED").tie("v", "fam", "FAMILY")  # v is PAUSED
    assert fragile_circles(rows.build()) == [
        FragileCircle("w", "SINGLE_PERSONAL_SUPPORTER", "peer"),
        FragileCircle("x", "SINGLE_PERSONAL_SUPPORTER", "fam"),
    ]


# --- supporter suggestions ----------------------------------------------------------------

LN3, LN5 = math.log(3), math.log(5)


def test_suggestions_ranked_by_documented_score() -> None:
    found = supporter_suggestions(suggestion_network().build(), "seeker", today=TODAY)
    assert [(s.member_id, s.shared_courses, s.shared_tools) for s in found] == [
        ("fof", (), ("walking",)),
        ("g2", ("sc-guitar",), ("music",)),
        ("tc", (), ("walking",)),
        ("ended", (), ("music",)),  # same score as g1: id decides
        ("g1", ("sc-guitar",), ()),
    ]
    assert [s.score for s in found] == pytest.approx(
        [1 / LN3 + 0.5, 2 / LN5, 1 / LN3, 1 / LN5, 1 / LN5]
    )


@pytest.mark.parametrize(
    ("member", "offered", "options"),
    [
        ("invited-by-seeker", False, {}),
        ("invited-seeker", False, {}),
        ("bridge", False, {}),
        ("busy", False, {}),
        ("busy", True, {"max_supporting": 5}),
        ("resting", False, {}),
        ("potter", False, {}),
        ("ended", True, {}),
        ("g1", False, {"first": 4}),
    ],
    ids=[
        "invited-by-member",
        "invited-the-member",
        "tied-no-interest",
        "at-max-load",
        "below-raised-max",
        "not-active",
        "withdrawn-only",
        "ended-tie-allowed",
        "cut-by-first",
    ],
)
def test_suggestion_candidates(member: str, offered: bool, options: dict[str, int]) -> None:
    found = supporter_suggestions(suggestion_network().build(), "seeker", today=TODAY, **options)
    assert any(s.member_id == member for s in found) is offered


def test_suggestions_for_unknown_or_non_member_ids_are_empty() -> None:
    g = suggestion_network().build()
    assert supporter_suggestions(g, "nobody", today=TODAY) == []
    assert supporter_suggestions(g, "fam", today=TODAY) == []


# --- synthetic generator ------------------------------------------------------------------


def test_synthetic_rows_are_deterministic() -> None:
    assert synthetic_rows(300, seed=1) == synthetic_rows(300, seed=1)
    assert synthetic_rows(300, seed=1) != synthetic_rows(300, seed=2)


def test_synthetic_network_shape() -> None:
    rows = synthetic_rows(2000, seed=3)
    statuses = dict((m, s) for m, s, _ in rows.members)
    open_ties = Counter(m for _, m, _, _, status in rows.ties if status in ("INVITED", "ACTIVE"))
    assert max(open_ties.values()) <= 5
    assert not any(statuses[m] == "LEFT" for m in open_ties)
    staying = [m for m, s in statuses.items() if s != "LEFT"]
    sizes = Counter(open_ties[m] for m in staying)
    weights = sum(CIRCLE_SIZE_WEIGHTS)
    for size, weight in enumerate(CIRCLE_SIZE_WEIGHTS):
        assert sizes[size] / len(staying) == pytest.approx(weight / weights, abs=0.04)

    known = set(statuses) | {node for node, _ in rows.supporters}
    assert all(m in statuses and s in known for _, m, s, _, _ in rows.ties)
    assert {s for s, kind in rows.supporters if kind == "organisation"} == set(ORGANISATIONS)
    assert {c for _, c, _, _, _ in rows.enrolments} <= set(COURSES)
    assert {t for _, t in rows.tools} <= set(TOOLS)
    dates = [on for *_, on in rows.help] + [on for _, _, _, on, _ in rows.enrolments]
    assert max(date.fromisoformat(str(d)) for d in dates) <= SYNTHETIC_TODAY
    assert all(
        (done is None) == (status != "COMPLETED") for _, _, status, _, done in rows.enrolments
    )

    summary = network_summary(build_from_rows(rows))
    assert 0.2 <= summary.reciprocity_rate <= 0.4
    assert 2.2 <= summary.mean_circle_size <= 2.8
