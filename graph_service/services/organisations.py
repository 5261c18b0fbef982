"""Use-cases for organisational supporters, and the seed of the network's own."""

from __future__ import annotations

from graph_service.auth import Principal
from graph_service.domain import Organisation, OrganisationKind, Outcome
from graph_service.events import ChangeKind, change
from graph_service.ids import new_id
from graph_service.services import access
from graph_service.services.audit import AuditService
from graph_service.services.validation import clean_name, now_iso
from graph_service.store import Store, changes
from graph_service.store import organisations as store_organisations

# Fixed ids make seeding idempotent.
SEED_ORGANISATIONS = [
    ("sefton-peer-network", "Sefton Recovery Peer Network", OrganisationKind.PEER_NETWORK),
]


class OrganisationService:
    """Organisations that support members."""

    def __init__(self, store: Store, audit: AuditService) -> None:
        self.store = store
        self.audit = audit

    async def create(
        self, principal: Principal, name: str, kind: OrganisationKind
    ) -> Outcome[Organisation]:
        """Create an organisation (coordinators)."""
        access.require_coordinator(principal)
        clean, error = clean_name(name, "name")
        if error:
            return Outcome(errors=[error])
        org = await store_organisations.create_organisation(
            self.store, new_id(), clean, kind, now_iso()
        )
        await self.audit.record(principal, "organisation.create", org.id)
        await changes.record(self.store, change(ChangeKind.ORGANISATION_ADDED))
        return Outcome(org)

    async def by_ids(self, ids: list[str]) -> dict[str, Organisation]:
        """Organisations by id (organisations are not personal data)."""
        return await store_organisations.organisations_by_ids(self.store, ids)

    async def all(self, principal: Principal) -> list[Organisation]:
        """Every organisation (for choosing a supporter)."""
        access.require_staff_or_member(principal)
        return await store_organisations.list_organisations(self.store)

    async def seed(self) -> list[Organisation]:
        """Create the network's own organisations unless they exist."""
        return [
            await store_organisations.ensure_organisation(self.store, org_id, name, kind, now_iso())
            for org_id, name, kind in SEED_ORGANISATIONS
        ]
