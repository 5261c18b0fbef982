"""Mutation inputs and payloads: expected failures come back as userErrors."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from graph_service.api.supporter_types import OrganisationType
from graph_service.api.types import HelpType, MemberType, TieType
from graph_service.domain import (
    ErrorCode,
    HelpKind,
    OrganisationKind,
    Relation,
    UserError,
)

strawberry.enum(ErrorCode, description="Codes of expected failures.")


@strawberry.type(name="UserError", description="An expected failure, tied to an input field.")
class UserErrorType:
    field: str | None
    message: str
    code: ErrorCode

    @classmethod
    def list_of(cls, errors: list[UserError]) -> list[UserErrorType]:
        """The types for domain user errors."""
        return [cls(field=e.field, message=e.message, code=e.code) for e in errors]


@strawberry.type
class MemberPayload:
    member: MemberType | None
    user_errors: list[UserErrorType]


@strawberry.type
class TiePayload:
    tie: TieType | None
    user_errors: list[UserErrorType]


@strawberry.type
class HelpPayload:
    help: HelpType | None
    user_errors: list[UserErrorType]


@strawberry.type(description="A new connect code: give it to the member who will invite you.")
class ConnectCodePayload:
    code: str | None = strawberry.field(
        description="Shown once, as XXXX-XXXX; works once, until expiresAt. "
        "It replaces your older codes."
    )
    expires_at: datetime | None
    user_errors: list[UserErrorType]


@strawberry.type
class OrganisationPayload:
    organisation: OrganisationType | None
    user_errors: list[UserErrorType]


@strawberry.input
class RegisterMemberInput:
    display_name: str
    member_since: date | None = None


@strawberry.input
class UpdateMemberInput:
    id: strawberry.ID
    display_name: str


@strawberry.input
class NewPersonInput:
    display_name: str


@strawberry.input(
    description="Give exactly one of supporterMemberId, connectCode, person, organisationId."
)
class AddSupporterInput:
    member_id: strawberry.ID
    relation: Relation
    supporter_member_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="A member to invite: coordinators name anyone; a member names only "
        "someone who has them as an active supporter already (else: use connectCode).",
    )
    connect_code: str | None = strawberry.field(
        default=None,
        description="The connect code the member to invite made and gave you "
        "(e.g. KXR4-9TQM; any case, dash and spaces optional).",
    )
    person: NewPersonInput | None = None
    organisation_id: strawberry.ID | None = None


@strawberry.input
class RecordHelpInput:
    from_member_id: strawberry.ID
    to_member_id: strawberry.ID
    on: date
    kind: HelpKind


@strawberry.input
class CreateOrganisationInput:
    name: str
    kind: OrganisationKind
