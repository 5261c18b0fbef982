"""The seeded demo network: deterministic, realistic in shape, only into an empty graph."""

from __future__ import annotations

from collections import Counter

import pytest

from graph_service.store import Store
from graph_service.store.admin import wipe
from loaders.demo import DemoRefused, load_demo

SNAPSHOT = """
MATCH (m:Member)
RETURN m.id AS id, m.displayName AS name, m.status AS status,
       COUNT { MATCH (m)-[t:SUPPORTED_BY]->() WHERE t.status IN ['INVITED', 'ACTIVE'] } AS open
ORDER BY m.id
"""
TIES = "MATCH (:Member)-[t:SUPPORTED_BY]->(s) RETURN t.relation AS relation, t.status AS status, labels(s) AS labels"
RECIPROCAL = """
MATCH (a:Member)-[:SUPPORTED_BY {status: 'ACTIVE'}]->(b:Member)-[:SUPPORTED_BY {status: 'ACTIVE'}]->(a)
RETURN count(*) AS pairs
"""
UNSHARED_ENROLMENTS = """
MATCH (m:Member)-[:ENROLLED_IN]->(:Course)<-[:OFFERS]-(c:College)
WHERE NOT EXISTS { MATCH (m)-[:SHARES_WITH]->(c) }
RETURN count(*) AS n
"""
COUNTS = """
RETURN COUNT { MATCH ()-[:HELPED]->() } AS help, COUNT { MATCH ()-[:ENROLLED_IN]->() } AS enrolments,
       COUNT { MATCH ()-[:PRACTISES]->() } AS tools
"""


async def test_same_seed_same_network_other_seed_other(store: Store) -> None:
    await load_demo(store, members=120, seed=5)
    first = await store.read(SNAPSHOT)
    await wipe(store)
    await load_demo(store, members=120, seed=5)
    assert await store.read(SNAPSHOT) == first
    await wipe(store)
    await load_demo(store, members=120, seed=6)
    assert await store.read(SNAPSHOT) != first


async def test_shape_of_the_default_network(store: Store) -> None:
    result = await load_demo(store)
    members = await store.read(SNAPSHOT)
    assert result.members == len(members) == 350
    sizes = Counter(min(row["open"], 5) for row in members if row["status"] != "LEFT")
    assert max(row["open"] for row in members) <= 5, "no circle above the limit"
    active = sum(sizes.values())
    assert 0.02 <= sizes[0] / active <= 0.20, sizes  # some with none
    assert (sizes[2] + sizes[3] + sizes[4]) / active >= 0.55, sizes  # most with 2-4
    assert 0 < sizes[5] / active <= 0.15, sizes  # few with 5
    statuses = Counter(row["status"] for row in members)
    assert statuses["ACTIVE"] > statuses["PAUSED"] > 0
    ties = await store.read(TIES)
    relations = Counter(t["relation"] for t in ties)
    assert set(relations) == {"FAMILY", "FRIEND", "PEER", "PROFESSIONAL", "ORGANISATION"}
    assert all(("Organisation" in t["labels"]) == (t["relation"] == "ORGANISATION") for t in ties)
    assert (await store.read(RECIPROCAL))[0]["pairs"] > 0
    counts = (await store.read(COUNTS))[0]
    assert counts["help"] > 0 and counts["enrolments"] > 0 and counts["tools"] > 0
    assert (await store.read(UNSHARED_ENROLMENTS))[0]["n"] == 0, "enrolled members consented"
    names = {row["name"] for row in members}
    assert len(names) > 100 and all(name.endswith(".") for name in names)


async def test_refused_when_the_graph_has_members(store: Store) -> None:
    await load_demo(store, members=20)
    with pytest.raises(DemoRefused, match="already has 20 members"):
        await load_demo(store, members=20)
