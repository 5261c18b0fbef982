"""The SVG pictures, parsed as XML: structure, text alternatives, links, escaping, contrast."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from graph_service.analysis.layout import NetworkLayout, network_layout
from graph_service.analysis.projection import build_from_rows
from graph_service.analysis.synthetic import synthetic_rows
from graph_service.domain import Relation, Supporter, SupporterKind, Tie, TieStatus
from graph_service.web import pictures, svg
from graph_service.web.network import network_map
from graph_service.web.pictures import CircleEntry, circle_entries, circle_picture
from tests.analysis_graphs import Rows

SVG = "{http://www.w3.org/2000/svg}"
NASTY = '<script>alert(1)</script> & "x"'
K, R, S = SupporterKind, Relation, TieStatus


def parse(markup: str) -> ET.Element:
    """The picture as an element tree (fails the test when it is not well-formed XML)."""
    root = ET.fromstring(str(markup))  # noqa: S314 - our own output, checked here
    assert root.tag == f"{SVG}svg"
    return root


def tag(element: ET.Element) -> str:
    return element.tag.removeprefix(SVG)


def classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


def supporters(root: ET.Element) -> list[ET.Element]:
    """The circle's supporter nodes (a link or a group each)."""
    return [e for e in root.iter() if "supporter" in classes(e)]


def node_shape(node: ET.Element) -> str:
    """'circle', 'square' or 'hexagon': the shape drawn for one node."""
    (drawn,) = [e for e in node if tag(e) in ("circle", "rect", "polygon")]
    if tag(drawn) == "polygon":
        return {6: "hexagon"}.get(len(drawn.get("points", "").split()), "other")
    return {"circle": "circle", "rect": "square"}[tag(drawn)]


def text_alternative(root: ET.Element) -> tuple[str, str]:
    """The title and desc the svg's aria attributes point at."""
    by_id = {e.get("id"): e for e in root.iter() if e.get("id")}
    title = by_id[root.get("aria-labelledby")]
    desc = by_id[root.get("aria-describedby")]
    assert tag(title) == "title" and tag(desc) == "desc"
    return title.text or "", desc.text or ""


ALEX = [
    CircleEntry("Maureen Kelly", K.PERSON, R.FAMILY, S.ACTIVE, False),
    CircleEntry("Danny O'Hare", K.MEMBER, R.FRIEND, S.ACTIVE, True, "/members/ZGFubnk="),
    CircleEntry("Shaz Patel", K.MEMBER, R.PEER, S.ACTIVE, False, "/members/c2hheg=="),
    CircleEntry("Sefton Peer Network", K.ORGANISATION, R.ORGANISATION, S.INVITED, False),
]


def test_the_circle_has_three_rings_and_the_member_in_the_centre() -> None:
    root = parse(circle_picture("Alex", ALEX))
    rings = [e for e in root.iter(f"{SVG}circle") if e.get("fill") == "none"]
    assert sorted(float(e.get("r", 0)) for e in rings) == list(pictures.RING_RADII)
    assert {(e.get("cx"), e.get("cy")) for e in rings} == {("210.0", "196.0")}
    centre = [t.text for t in root.iter(f"{SVG}text") if t.get("fill") == "#fff"]
    assert centre == ["Alex"]


def centre(node: ET.Element) -> tuple[float, float]:
    """The middle of the shape drawn for one node."""
    (drawn,) = [e for e in node if tag(e) in ("circle", "rect", "polygon")]
    number = {k: float(v) for k, v in drawn.attrib.items() if re.fullmatch(r"-?[\d.]+", v)}
    if tag(drawn) == "circle":
        return number["cx"], number["cy"]
    if tag(drawn) == "rect":
        return number["x"] + number["width"] / 2, number["y"] + number["height"] / 2
    points = [tuple(map(float, p.split(","))) for p in drawn.get("points", "").split()]
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def test_supporters_sit_on_the_ring_of_their_relation() -> None:
    root = parse(circle_picture("Alex", ALEX))
    distance = {}
    for node in supporters(root):
        x, y = centre(node)
        name = node.findtext(f"{SVG}title", "").split(" (")[0]
        distance[name] = round(((x - 210) ** 2 + (y - 196) ** 2) ** 0.5)
    inner, middle, outer = pictures.RING_RADII
    assert distance == {
        "Maureen Kelly": inner,
        "Danny O'Hare": inner,
        "Shaz Patel": middle,
        "Sefton Peer Network": outer,
    }


def test_each_kind_of_supporter_has_its_own_shape() -> None:
    root = parse(circle_picture("Alex", ALEX))
    shapes = {n.findtext(f"{SVG}title", "").split(" (")[0]: node_shape(n) for n in supporters(root)}
    assert shapes == {
        "Maureen Kelly": "square",
        "Danny O'Hare": "circle",
        "Shaz Patel": "circle",
        "Sefton Peer Network": "hexagon",
    }


def test_invited_ties_are_dashed_and_the_legend_says_so() -> None:
    root = parse(circle_picture("Alex", ALEX))
    dashed = [e for e in root.iter(f"{SVG}line") if e.get("stroke-dasharray")]
    legend = next(e for e in root.iter(f"{SVG}g") if "legend" in classes(e))
    legend_dashed = [e for e in legend.iter(f"{SVG}line") if e.get("stroke-dasharray")]
    assert len(dashed) == 1 + len(legend_dashed) == 2
    words = [t.text for t in legend.iter(f"{SVG}text")]
    assert words == [
        "Member",
        "Person",
        "Organisation",
        "Active",
        "Invited, no reply yet",
        "Support each other",
    ]
    (invited,) = [n for n in supporters(root) if "invited" in classes(n)]
    assert "Sefton Peer Network" in invited.findtext(f"{SVG}title", "")


def test_reciprocal_ties_have_arrowheads_at_both_ends() -> None:
    root = parse(circle_picture("Alex", ALEX))
    legend = next(e for e in root.iter(f"{SVG}g") if "legend" in classes(e))
    in_legend = set(map(id, legend.iter()))
    arrows = [
        e
        for e in root.iter(f"{SVG}polygon")
        if len(e.get("points", "").split()) == 3 and id(e) not in in_legend
    ]
    assert len(arrows) == 2  # Danny supports Alex, and Alex supports Danny


def test_supporters_who_are_members_link_to_their_pages() -> None:
    root = parse(circle_picture("Alex", ALEX))
    links = {a.get("href"): a.get("aria-label") for a in root.iter(f"{SVG}a")}
    assert links == {
        "/members/ZGFubnk=": "Danny O'Hare, friend, supports each other",
        "/members/c2hheg==": "Shaz Patel, peer",
    }
    # links inside role="img" would be hidden from screen readers: the picture is a group
    assert root.get("role") == "group"


def test_the_text_alternative_counts_the_circle() -> None:
    title, desc = text_alternative(parse(circle_picture("Alex", ALEX)))
    assert title == "Alex's circle of support"
    assert desc.startswith(
        "Alex's circle: 3 active supporters (2 family or friends, 1 peer) and 1 invitation."
    )
    assert "Outer ring, professionals and organisations: Sefton Peer Network" in desc
    assert "Danny O'Hare (friend, supports each other)" in desc


@pytest.mark.parametrize(
    ("entries", "summary"),
    [
        ([], "Sam's circle: no supporters yet."),
        (ALEX[:1], "Sam's circle: 1 active supporter (1 family member or friend)."),
        (ALEX[3:], "Sam's circle: no active supporters and 1 invitation."),
        (ALEX, "Sam's circle: 3 active supporters (2 family or friends, 1 peer) and 1 invitation."),
    ],
    ids=["empty", "one", "only-invited", "four"],
)
def test_summaries(entries: list[CircleEntry], summary: str) -> None:
    _, desc = text_alternative(parse(circle_picture("Sam", entries)))
    assert desc.startswith(summary)


@pytest.mark.parametrize("count", [0, 1, 2, 3, 4, 5, 12, 50])
def test_any_number_of_supporters_is_drawn(count: int) -> None:
    kinds, relations = list(K), list(R)
    entries = [
        CircleEntry(
            f"Supporter {i}",
            kinds[i % 3],
            relations[i % 5],
            S.INVITED if i % 4 == 3 else S.ACTIVE,
            i % 2 == 0,
            "/members/x" if kinds[i % 3] is K.MEMBER else None,
        )
        for i in range(count)
    ]
    root = parse(circle_picture("Alex", entries))
    assert len(supporters(root)) == count
    shapes = Counter(node_shape(n) for n in supporters(root))
    assert (
        shapes
        == Counter({"circle": (count + 2) // 3, "square": (count + 1) // 3, "hexagon": count // 3})
        - Counter()
    )
    assert root.get("role") == ("group" if count else "img")  # the first is a member: a link
    assert root.get("viewBox", "").startswith("0 0 420 ")


def test_names_are_escaped_in_the_circle() -> None:
    entries = [CircleEntry(NASTY, K.MEMBER, R.PEER, S.ACTIVE, True, "/members/a?b=1&c=2")]
    markup = str(circle_picture(NASTY, entries))
    root = parse(markup)  # well-formed, so nothing broke out of its attribute or element
    assert not [e for e in root.iter() if tag(e) == "script"]
    assert "<script>" not in markup
    title, desc = text_alternative(root)
    assert title == f"{NASTY}'s circle of support"
    assert desc.startswith(f"{NASTY}'s circle: 1 active supporter (1 peer).")
    (link,) = root.iter(f"{SVG}a")
    assert link.get("href") == "/members/a?b=1&c=2"
    assert link.get("aria-label", "").startswith(NASTY)


def test_no_inline_styles_for_the_pages_csp() -> None:
    for markup in (circle_picture("Alex", ALEX), network_map(*small_map())):
        assert not [e for e in parse(markup).iter() if e.get("style")]


def tie(status: TieStatus, kind: SupporterKind = K.MEMBER) -> Tie:
    """A tie of member m1 to supporter s1."""
    return Tie(
        "t", "m1", "Mo", Supporter("s1", kind, "Sam"), R.PEER, status, "2026-01-01", None, True
    )


def test_circle_entries_keep_open_ties_and_link_members_by_global_id() -> None:
    ties = [tie(S.ACTIVE), tie(S.INVITED, K.PERSON), tie(S.ENDED), tie(S.DECLINED)]
    assert circle_entries(ties) == [
        CircleEntry("Sam", K.MEMBER, R.PEER, S.ACTIVE, True, "/members/s1"),
        CircleEntry("Sam", K.PERSON, R.PEER, S.INVITED, True, None),
    ]


def small_map() -> tuple[NetworkLayout, dict[str, str], set[str]]:
    """Three members (one flagged, one alone), a person, an organisation and an invitation."""
    rows = Rows().member("m1", "m2", "m3", "m4").person("p1").organisation("o1")
    rows.tie("m1", "m2", "PEER").tie("m2", "m1", "PEER", "INVITED").tie("m1", "p1", "FAMILY")
    rows.tie("m2", "o1", "ORGANISATION").tie("m3", "o1", "ORGANISATION")
    names = {"m1": "Ann", "m2": NASTY, "m3": "Cy", "m4": "Di", "p1": "Pat", "o1": "Peer network"}
    return network_layout(rows.build()), names, {"m3", "m4", "not-on-the-map"}


def test_the_map_draws_every_node_with_the_shape_of_its_kind() -> None:
    root = parse(network_map(*small_map()))
    links = [a for a in root.iter(f"{SVG}a")]
    assert {a.get("href") for a in links} == {f"/members/{m}" for m in ("m1", "m2", "m3", "m4")}
    others = {node_shape(g) for g in root.iter(f"{SVG}g") if "supporter" in classes(g)}
    assert others == {"square", "hexagon"}
    # a member is a plain circle; a flagged one has a thick ring round a differently filled dot
    plain = [a for a in links if "flagged" not in classes(a)]
    assert all([tag(e) for e in a if tag(e) != "title"] == ["circle"] for a in plain)
    for a in (a for a in links if "flagged" in classes(a)):
        ring, dot = a.findall(f"{SVG}circle")
        assert float(ring.get("stroke-width", 0)) >= 3
        assert dot.get("fill") == svg.FLAGGED != svg.COLOURS["member"]


def test_the_map_links_are_named_and_flagged_members_say_so() -> None:
    root = parse(network_map(*small_map()))
    labels = {a.get("aria-label") for a in root.iter(f"{SVG}a")}
    assert labels == {"Ann", NASTY, "Cy, lacks support", "Di, lacks support"}
    assert all(a.findtext(f"{SVG}title") == a.get("aria-label") for a in root.iter(f"{SVG}a"))
    assert not [e for e in root.iter() if tag(e) == "script"]


def test_the_map_draws_ties_with_invitations_dashed() -> None:
    root = parse(network_map(*small_map()))
    paths = {bool(p.get("stroke-dasharray")): p.get("d", "") for p in root.iter(f"{SVG}path")}
    assert paths[False].count("M") == 4
    assert paths[True].count("M") == 1


def test_the_map_has_a_legend_and_a_text_alternative() -> None:
    root = parse(network_map(*small_map()))
    legend = next(e for e in root.iter(f"{SVG}g") if "legend" in classes(e))
    assert [t.text for t in legend.iter(f"{SVG}text")] == [
        "Member",
        "Person",
        "Organisation",
        "Lacks support",
        "Tie",
        "Invited",
    ]
    title, desc = text_alternative(root)
    assert title == "The supporter network"
    assert desc.startswith(
        "4 members and 2 other supporters (1 person, 1 organisation), joined by 5 open ties "
        "(1 invited). 2 members lack support"
    )
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Members with no open ties" in texts  # m4 has none


def test_the_demo_network_map() -> None:
    layout = network_layout(build_from_rows(synthetic_rows(350, 2026)))
    members = [n.id for n in layout.nodes if n.kind == "member"]
    names = {n.id: f"Name {i}" for i, n in enumerate(layout.nodes)}
    root = parse(network_map(layout, names, set(members[:30])))
    links = list(root.iter(f"{SVG}a"))
    assert len(links) == len(members)
    assert sum("flagged" in classes(a) for a in links) == 30
    _, desc = text_alternative(root)
    assert desc.startswith(f"{len(members)} members and ")
    assert f"joined by {len(layout.edges)} open ties" in desc


def contrast(colour: str, against: str = "#ffffff") -> float:
    """The WCAG contrast ratio of two #rrggbb colours."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(colour), luminance(against)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(
    ("colour", "needed"),
    [
        *[(c, 3.0) for c in svg.COLOURS.values()],
        (svg.FLAGGED, 3.0),
        (svg.LINE, 3.0),
        (svg.FAINT, 3.0),
        (svg.TEXT, 4.5),
        (svg.MUTED, 4.5),
    ],
)
def test_colours_meet_wcag_contrast_on_white(colour: str, needed: float) -> None:
    assert contrast(colour) >= needed


def test_white_names_on_the_member_colour_are_readable() -> None:
    assert contrast("#ffffff", svg.COLOURS["member"]) >= 4.5
