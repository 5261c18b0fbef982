"""GraphQL object types, built from domain records."""

from __future__ import annotations

import enum

import strawberry

from graph_service.auth import Principal, Role


@strawberry.enum(name="Role", description="What kind of user a token belongs to.")
class RoleType(enum.Enum):
    COORDINATOR = "coordinator"
    MEMBER = "member"
    COLLEGE = "college"


@strawberry.type(name="Me", description="The caller, as their token describes them.")
class MeType:
    role: RoleType
    member_id: strawberry.ID | None = strawberry.field(
        description="The member's global id, for a member's token."
    )
    college_id: strawberry.ID | None = strawberry.field(
        description="The college's global id, for a college's token."
    )

    @classmethod
    def from_principal(cls, principal: Principal) -> MeType:
        """The caller's view of their own token."""
        member = principal.member_global_id
        college = principal.college_global_id
        return cls(
            role=RoleType(principal.role.value),
            member_id=strawberry.ID(member) if member else None,
            college_id=strawberry.ID(college) if college else None,
        )


assert {role.value for role in Role} == {role.value for role in RoleType}
