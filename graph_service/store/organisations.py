"""Cypher for organisations."""

from __future__ import annotations

from typing import Any

from graph_service.domain import Organisation, OrganisationKind
from graph_service.store.connection import Store

CREATE_ORGANISATION = """
CREATE (o:Organisation {id: $id, name: $name, kind: $kind, createdAt: $now, updatedAt: $now})
RETURN o{.id, .name, .kind} AS organisation
"""

# Seeding is idempotent: the same fixed id always names the same organisation.
ENSURE_ORGANISATION = """
MERGE (o:Organisation {id: $id})
ON CREATE SET o.name = $name, o.kind = $kind, o.createdAt = $now, o.updatedAt = $now
RETURN o{.id, .name, .kind} AS organisation
"""

ORGANISATIONS_BY_IDS = """
UNWIND $ids AS wanted
MATCH (o:Organisation {id: wanted})
RETURN o{.id, .name, .kind} AS organisation
"""

LIST_ORGANISATIONS = """
MATCH (o:Organisation)
RETURN o{.id, .name, .kind} AS organisation
ORDER BY o.name, o.id
"""


def to_organisation(row: dict[str, Any]) -> Organisation:
    """An Organisation from an organisation map."""
    return Organisation(row["id"], row["name"], OrganisationKind(row["kind"]))


async def create_organisation(
    store: Store, org_id: str, name: str, kind: OrganisationKind, now: str
) -> Organisation:
    """Create an organisation."""
    rows = await store.write(CREATE_ORGANISATION, id=org_id, name=name, kind=kind.value, now=now)
    return to_organisation(rows[0]["organisation"])


async def ensure_organisation(
    store: Store, org_id: str, name: str, kind: OrganisationKind, now: str
) -> Organisation:
    """Create an organisation with a fixed id unless it exists."""
    rows = await store.write(ENSURE_ORGANISATION, id=org_id, name=name, kind=kind.value, now=now)
    return to_organisation(rows[0]["organisation"])


async def organisations_by_ids(store: Store, ids: list[str]) -> dict[str, Organisation]:
    """The organisations with these ids."""
    rows = await store.read(ORGANISATIONS_BY_IDS, ids=list(dict.fromkeys(ids)))
    return {row["organisation"]["id"]: to_organisation(row["organisation"]) for row in rows}


async def list_organisations(store: Store) -> list[Organisation]:
    """Every organisation, by name."""
    rows = await store.read(LIST_ORGANISATIONS)
    return [to_organisation(row["organisation"]) for row in rows]
