"""The trends report: figures from the graph's history, and small-number suppression.

The suppression tests read a report as an outsider would: every raw value that could have
given the published texts is a candidate, and a small count (or the small rest of a whole) must
always have more than one candidate, so that no individual can be recovered from one report.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph_service.analysis import disclosure
from graph_service.analysis.trends import (
    History,
    MemberHistory,
    MonthFigures,
    SessionHistory,
    TieHistory,
    months,
    tie_state,
    trends,
)
from graph_service.services.trends import shown
from tests.conftest import GraphQLClient

K = 5
TODAY = date(2026, 3, 20)


def _tie(
    member: str = "a",
    supporter: str = "p",
    *,
    is_member: bool = False,
    relation: str = "FAMILY",
    status: str = "ACTIVE",
    since: date = date(2026, 1, 10),
    responded: date | None = None,
    ended: date | None = None,
    ended_from: str | None = None,
) -> TieHistory:
    return TieHistory(
        member, supporter, is_member, relation, status, since, responded, ended, ended_from
    )


def test_months_cover_the_range_with_their_last_days() -> None:
    assert months("2025-11", "2026-02") == [
        ("2025-11", date(2025, 11, 1), date(2025, 11, 30)),
        ("2025-12", date(2025, 12, 1), date(2025, 12, 31)),
        ("2026-01", date(2026, 1, 1), date(2026, 1, 31)),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
    ]


JAN, FEB = date(2026, 1, 31), date(2026, 2, 28)
TIE_STATES = [
    ("not-yet", _tie(since=date(2026, 2, 3)), JAN, None),
    ("active", _tie(), JAN, "ACTIVE"),
    (
        "ended-later",
        _tie(status="ENDED", ended=date(2026, 2, 5), ended_from="ACTIVE"),
        JAN,
        "ACTIVE",
    ),
    ("ended-before", _tie(status="ENDED", ended=date(2026, 2, 5), ended_from="ACTIVE"), FEB, None),
    ("ended-undated", _tie(status="ENDED"), JAN, None),
    ("accepted-later", _tie(is_member=True, responded=date(2026, 2, 2)), JAN, "INVITED"),
    ("accepted", _tie(is_member=True, responded=date(2026, 2, 2)), FEB, "ACTIVE"),
    ("still-invited", _tie(is_member=True, status="INVITED"), FEB, "INVITED"),
    (
        "declined-later",
        _tie(is_member=True, status="DECLINED", responded=date(2026, 2, 2)),
        JAN,
        "INVITED",
    ),
    ("declined", _tie(is_member=True, status="DECLINED", responded=date(2026, 2, 2)), FEB, None),
    (
        "ended-unanswered",
        _tie(is_member=True, status="ENDED", ended=date(2026, 2, 9), ended_from="INVITED"),
        JAN,
        "INVITED",
    ),
]


@pytest.mark.parametrize(
    ("tie", "day", "expected"), [c[1:] for c in TIE_STATES], ids=[c[0] for c in TIE_STATES]
)
def test_a_tie_as_it_stood_on_a_day(tie: TieHistory, day: date, expected: str | None) -> None:
    assert tie_state(tie, day) == expected


def test_figures_come_from_the_history_so_past_months_need_no_snapshot() -> None:
    members = tuple(MemberHistory(f"m{i}", date(2025, 6, 1), None) for i in range(12))
    members += (
        MemberHistory("joined-feb", date(2026, 2, 10), None),
        MemberHistory("left-feb", date(2025, 1, 1), date(2026, 2, 15)),
    )
    ties = []
    for i in range(12):  # m0..m11: two family ties each from January; m0..m5 lose one in February
        ties.append(_tie(f"m{i}", f"fam{i}"))
        ended = date(2026, 2, 20) if i < 6 else None
        ties.append(
            _tie(
                f"m{i}",
                f"friend{i}",
                relation="FRIEND",
                status="ENDED" if ended else "ACTIVE",
                ended=ended,
                ended_from="ACTIVE" if ended else None,
            )
        )
    # m0 <-> m1 support each other; m2 -> m3 is not returned.
    ties += [
        _tie("m0", "m1", is_member=True, relation="PEER"),
        _tie("m1", "m0", is_member=True, relation="PEER"),
    ]
    ties += [_tie("m2", "m3", is_member=True, relation="PEER")]
    history = History(
        members=members,
        ties=tuple(ties),
        confirmed_help=(date(2026, 1, 3), date(2026, 2, 3), date(2026, 2, 4)),
        sessions=(
            SessionHistory(date(2026, 1, 6), True, 9),
            SessionHistory(date(2026, 1, 13), False, 0),  # no register: not held
            SessionHistory(date(2026, 2, 3), True, 7),
        ),
    )
    jan, feb = trends(history, "2026-01", "2026-02", today=TODAY)
    assert (jan.month, jan.as_of, jan.members, feb.members) == ("2026-01", JAN, 13, 13)
    # m0, m1 and m2 keep a peer beside their family when they lose a friend in February.
    assert jan.two_personal == 12 and feb.two_personal == 9
    # January: only the member who later left has no supporters; February: the newcomer
    # instead, and m3, m4 and m5, down to one supporter.
    assert (jan.flagged, feb.flagged) == (1, 4)
    assert (jan.member_ties, jan.returned) == (3, 2)
    assert (jan.help_confirmed, feb.help_confirmed) == (1, 2)
    assert (jan.sessions_held, jan.attendances, feb.sessions_held, feb.attendances) == (1, 9, 1, 7)
    assert jan.median_circle == 2.0
    # A month after today is not reported; the month in progress stands as of today.
    assert [m.month for m in trends(history, "2026-03", "2026-05", today=TODAY)] == ["2026-03"]
    assert trends(history, "2026-03", "2026-03", today=TODAY)[0].as_of == TODAY


SUPPRESSION = [
    ("count-big", disclosure.count(12, K), "12"),
    ("count-small", disclosure.count(3, K), "<5"),
    ("count-zero", disclosure.count(0, K), "<5"),
    ("part-small", disclosure.part(2, 40, K), "<5"),
    ("part-complement-small", disclosure.part(38, 40, K), "*"),
    ("part-of-small-whole", disclosure.part(5, 5, K), "*"),
    ("part-of-small-whole-low", disclosure.part(1, 7, K), "*"),
    ("part-big", disclosure.part(20, 40, K), "20"),
    ("rate", disclosure.rate(20, 40, K), "0.500"),
    ("rate-small", disclosure.rate(3, 40, K), "*"),
    ("rate-complement-small", disclosure.rate(37, 40, K), "*"),
    ("median", disclosure.median(2.5, 10, K), "2.5"),
    ("median-of-few", disclosure.median(2.0, 9, K), "*"),
]


@pytest.mark.parametrize(
    ("figure", "text"), [c[1:] for c in SUPPRESSION], ids=[c[0] for c in SUPPRESSION]
)
def test_suppression_rules(figure: disclosure.Shown, text: str) -> None:
    assert figure.text == text
    assert figure.suppressed == (text in ("<5", "*"))


MAX_WHOLE = 60


def _part_candidates(whole_text: str, part_text: str) -> set[int]:
    """Every part that, with some whole, publishes these two texts."""
    return {
        v
        for w in range(MAX_WHOLE + 1)
        if disclosure.count(w, K).text == whole_text
        for v in range(w + 1)
        if disclosure.part(v, w, K).text == part_text
    }


def _assert_unrecoverable(raw: MonthFigures) -> None:
    """No small count, and no small rest of a whole, can be read back from one month."""
    month = shown(raw, K).figures
    n = raw.members
    for key, value in (
        ("members", n),
        ("help_confirmed", raw.help_confirmed),
        ("sessions_held", raw.sessions_held),
        ("attendances", raw.attendances),
    ):
        candidates = {
            v for v in range(MAX_WHOLE * 4) if disclosure.count(v, K).text == month[key].text
        }
        assert value in candidates
        if value < K:
            assert len(candidates) > 1, (key, value)
    for key, value in (("two_personal", raw.two_personal), ("flagged", raw.flagged)):
        candidates = _part_candidates(month["members"].text, month[key].text)
        assert value in candidates
        if value < K or n - value < K:
            assert len(candidates) > 1, (key, value, n)
            rests = {
                w - v
                for w in range(MAX_WHOLE + 1)
                for v in candidates
                if v <= w
                and disclosure.count(w, K).text == month["members"].text
                and disclosure.part(v, w, K).text == month[key].text
            }
            assert len(rests) > 1, (key, value, n)
    # Shares and rates only ever show beside big counts on both sides.
    for key, part, whole in (
        ("two_personal_share", raw.two_personal, n),
        ("reciprocity", raw.returned, raw.member_ties),
    ):
        if not month[key].suppressed:
            assert part >= K and whole - part >= K, key
    if not month["median_circle"].suppressed:
        assert n >= 2 * K


def test_no_small_part_of_any_whole_can_be_read_back() -> None:
    """Every (part, whole) a report could hold: a small side never has a single candidate."""
    published: dict[tuple[str, str], set[int]] = {}
    for w in range(MAX_WHOLE + 1):
        for v in range(w + 1):
            texts = (disclosure.count(w, K).text, disclosure.part(v, w, K).text)
            published.setdefault(texts, set()).add(v)
    for w in range(MAX_WHOLE + 1):
        for v in range(w + 1):
            if v < K or w - v < K:
                texts = (disclosure.count(w, K).text, disclosure.part(v, w, K).text)
                assert len(published[texts]) > 1, (v, w, texts)


@st.composite
def histories(draw: st.DrawFn) -> History:
    """Small random networks (where small numbers are the rule) over three months."""
    size = draw(st.integers(0, MAX_WHOLE))
    day = st.dates(min_value=date(2025, 11, 1), max_value=TODAY)
    members = tuple(MemberHistory(f"m{i}", draw(day), draw(st.none() | day)) for i in range(size))
    ties = []
    for i in range(size):
        for j in range(draw(st.integers(0, 4))):
            to_member = size > 1 and draw(st.booleans())
            other = f"m{draw(st.integers(0, size - 1))}" if to_member else f"p{i}-{j}"
            ties.append(
                _tie(
                    f"m{i}",
                    other,
                    is_member=to_member,
                    relation=draw(st.sampled_from(["FAMILY", "FRIEND", "PEER", "PROFESSIONAL"])),
                    status=draw(st.sampled_from(["ACTIVE", "INVITED", "ENDED", "DECLINED"])),
                    since=draw(day),
                    responded=draw(st.none() | day),
                    ended=draw(st.none() | day),
                    ended_from=draw(st.sampled_from(["ACTIVE", "INVITED"])),
                )
            )
    help_days = tuple(draw(st.lists(day, max_size=12)))
    sessions = tuple(
        SessionHistory(draw(day), draw(st.booleans()), draw(st.integers(0, 12)))
        for _ in range(draw(st.integers(0, 10)))
    )
    return History(members, tuple(ties), help_days, sessions)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_no_individual_can_be_recovered_from_a_report(history: History) -> None:
    for raw in trends(history, "2026-01", "2026-03", today=TODAY):
        _assert_unrecoverable(raw)


def test_one_member_who_came_is_not_told_apart_from_none() -> None:
    """A report with one attender, one flagged member or one help record reads like one with none."""
    base = History(
        members=tuple(MemberHistory(f"m{i}", date(2025, 1, 1), None) for i in range(20)),
        ties=tuple(_tie(f"m{i}", f"p{i}-{j}") for i in range(20) for j in range(2)),
        confirmed_help=(),
        sessions=(SessionHistory(date(2026, 1, 6), True, 0),),
    )
    one_more = History(
        members=base.members,
        ties=base.ties[2:],  # m0 has no supporters: flagged
        confirmed_help=(date(2026, 1, 9),),
        sessions=(SessionHistory(date(2026, 1, 6), True, 1),),
    )
    [none] = trends(base, "2026-01", "2026-01", today=TODAY)
    [one] = trends(one_more, "2026-01", "2026-01", today=TODAY)
    for key in ("flagged", "help_confirmed", "attendances"):
        assert shown(none, K).figures[key].text == shown(one, K).figures[key].text == "<5"


TRENDS = """
query($from: String!, $to: String!) {
  programmeTrends(from: $from, to: $to) {
    minCount
    months { month members { text value } flaggedIsolated { text value } sessionsHeld { text } }
  }
}
"""


async def test_coordinators_get_the_report_and_nobody_else(
    as_coordinator: GraphQLClient,
    as_member: Callable[[str], GraphQLClient],
    as_college: GraphQLClient,
    register: Callable[[str], Awaitable[str]],
) -> None:
    a = await register("Aoife")
    this_month = date.today().strftime("%Y-%m")
    last_month = (date.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    body = await as_coordinator(TRENDS, **{"from": last_month, "to": this_month})
    report = body["data"]["programmeTrends"]  # type: ignore[index]
    assert report["minCount"] == 5
    assert [m["month"] for m in report["months"]] == [last_month, this_month]
    # One member: every count is withheld.
    assert report["months"][-1]["members"] == {"text": "<5", "value": None}
    log = await as_coordinator("{ auditLog { edges { node { action } } } }")
    assert "analysis.trends" in str(log)
    for client in (as_member(a), as_college):
        refused = await client(TRENDS, **{"from": last_month, "to": this_month})
        assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("first", "last"),
    [("2026-1", "2026-02"), ("2026-03", "2026-01"), ("2099-01", "2099-02"), ("2020-01", "2026-01")],
    ids=["not-a-month", "backwards", "future", "too-long"],
)
async def test_months_that_cannot_be_reported_are_refused(
    as_coordinator: GraphQLClient, first: str, last: str
) -> None:
    body = await as_coordinator(TRENDS, **{"from": first, "to": last})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_INPUT"]  # type: ignore[union-attr]
