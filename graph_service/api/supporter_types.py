"""GraphQL types for supporters who are not members: people and organisations."""

from __future__ import annotations

import strawberry

from graph_service.api.node import Node
from graph_service.domain import Organisation, OrganisationKind
from graph_service.ids import to_global_id

strawberry.enum(OrganisationKind, description="Kinds of organisational supporter.")


@strawberry.type(name="Person", description="A supporter who is not a member.")
class PersonType(Node):
    display_name: str


@strawberry.type(name="Organisation", description="An organisational supporter.")
class OrganisationType(Node):
    name: str
    kind: OrganisationKind

    @classmethod
    def of(cls, org: Organisation) -> OrganisationType:
        """The type for an organisation."""
        return cls(
            id=strawberry.ID(to_global_id("Organisation", org.id)), name=org.name, kind=org.kind
        )
