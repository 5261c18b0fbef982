"""The GraphQL type for the caller (Me), as their bearer token describes them."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from graph_service.api.context import Context
from graph_service.api.lookahead import circle_wanted, prime
from graph_service.api.types import MemberType
from graph_service.auth import Principal, Role

strawberry.enum(Role, description="What kind of user a token belongs to.")


@strawberry.type(name="Me", description="The caller, as their token describes them.")
class MeType:
    principal: strawberry.Private[Principal]

    @strawberry.field
    def role(self) -> Role:
        return self.principal.role

    @strawberry.field(description="The member's global id, for a member's token.")
    def member_id(self) -> strawberry.ID | None:
        value = self.principal.member_global_id
        return strawberry.ID(value) if value else None

    @strawberry.field(description="The college's global id, for a college's token.")
    def college_id(self) -> strawberry.ID | None:
        value = self.principal.college_global_id
        return strawberry.ID(value) if value else None

    @strawberry.field(description="The member, for a member's token.")
    async def member(self, info: Info[Context, None]) -> MemberType | None:
        if self.principal.member_id is None:
            return None
        member_id = self.principal.member_id
        include_ended = circle_wanted(info)
        if include_ended is not None:
            members, circles = await info.context.services.members.with_circles(
                [member_id], include_ended
            )
            prime(info.context.loaders, members, circles, include_ended)
        found = await info.context.loaders.members.load(member_id)
        return MemberType.of(found) if found else None
