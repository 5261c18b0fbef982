"""The member's own fields: identity, loading, the access guard and the record's values."""

from __future__ import annotations

from datetime import date, datetime
from typing import Self

import strawberry
from strawberry.types import Info

from graph_service.api.context import Context
from graph_service.api.node import Node
from graph_service.auth import Role
from graph_service.domain import Member, MemberStatus
from graph_service.errors import GraphServiceError
from graph_service.ids import to_global_id
from graph_service.services import access

strawberry.enum(MemberStatus, description="Whether a member takes part in the network.")


@strawberry.type
class MemberFields(Node):
    """What the member record itself says; MemberType adds the links to other objects."""

    internal_id: strawberry.Private[str]
    known_name: strawberry.Private[str | None] = None
    record: strawberry.Private[Member | None] = None

    @classmethod
    def of(cls, member: Member) -> Self:
        """The type for a loaded member."""
        return cls(
            id=strawberry.ID(to_global_id("Member", member.id)),
            internal_id=member.id,
            known_name=member.display_name,
            record=member,
        )

    @classmethod
    def ref(cls, member_id: str, name: str | None = None) -> Self:
        """The type for a member known by id (and maybe name) only."""
        return cls(
            id=strawberry.ID(to_global_id("Member", member_id)),
            internal_id=member_id,
            known_name=name,
        )

    async def _guard(self, info: Info[Context, None], action: str) -> None:
        """Refuse unless the caller may read this member; audit a coordinator's read."""
        principal = info.context.principal
        access.require_member_access(principal, self.internal_id)
        if principal.role is Role.COORDINATOR:
            await info.context.services.audit.record_reads([(principal, action, self.internal_id)])

    async def _load(self, info: Info[Context, None], *, guarded: bool = True) -> Member:
        if guarded:
            await self._guard(info, "member.read")
        if self.record is None:
            self.record = await info.context.loaders.members.load(self.internal_id)
            if self.record is None:
                raise GraphServiceError(f"member {self.internal_id} vanished")
        return self.record

    @strawberry.field(description="How the member wishes to be named (visible to their circle).")
    async def display_name(self, info: Info[Context, None]) -> str:
        if self.known_name is not None:
            return self.known_name
        return (await self._load(info, guarded=False)).display_name

    @strawberry.field
    async def status(self, info: Info[Context, None]) -> MemberStatus:
        return (await self._load(info)).status

    @strawberry.field
    async def member_since(self, info: Info[Context, None]) -> date:
        return (await self._load(info)).member_since

    @strawberry.field
    async def created_at(self, info: Info[Context, None]) -> datetime:
        return datetime.fromisoformat((await self._load(info)).created_at)

    @strawberry.field
    async def updated_at(self, info: Info[Context, None]) -> datetime:
        return datetime.fromisoformat((await self._load(info)).updated_at)
