"""Root mutation fields: each returns its payload with userErrors."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from graph_service.api.context import Context
from graph_service.api.payloads import (
    AddSupporterInput,
    CreateOrganisationInput,
    HelpPayload,
    MemberPayload,
    OrganisationPayload,
    RecordHelpInput,
    RegisterMemberInput,
    TiePayload,
    UpdateMemberInput,
    UserErrorType,
)
from graph_service.api.types import HelpType, MemberType, OrganisationType, TieType
from graph_service.domain import ErrorCode, MemberStatus, Relation, UserError
from graph_service.ids import from_global_id


class BadId(Exception):
    """A global id argument of the wrong shape or type."""

    def __init__(self, field: str, type_name: str) -> None:
        super().__init__(field)
        self.error = UserError(field, f"not a {type_name} id", ErrorCode.INVALID_INPUT)


def _id(value: str | None, type_name: str, field: str) -> str:
    if value is None:
        return ""
    try:
        return from_global_id(value, type_name)
    except ValueError:
        raise BadId(field, type_name) from None


def _errors(bad: BadId) -> list[UserErrorType]:
    return UserErrorType.list_of([bad.error])


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Register a new member (coordinators).")
    async def register_member(
        self, info: Info[Context, None], input: RegisterMemberInput
    ) -> MemberPayload:
        outcome = await info.context.services.members.register(
            info.context.principal, input.display_name, input.member_since
        )
        member = MemberType.of(outcome.value) if outcome.value else None
        return MemberPayload(member=member, user_errors=UserErrorType.list_of(outcome.errors))

    @strawberry.mutation(description="Change a display name (coordinators, or the member).")
    async def update_member(
        self, info: Info[Context, None], input: UpdateMemberInput
    ) -> MemberPayload:
        try:
            member_id = _id(input.id, "Member", "id")
        except BadId as bad:
            return MemberPayload(member=None, user_errors=_errors(bad))
        outcome = await info.context.services.members.update(
            info.context.principal, member_id, input.display_name
        )
        member = MemberType.of(outcome.value) if outcome.value else None
        return MemberPayload(member=member, user_errors=UserErrorType.list_of(outcome.errors))

    @strawberry.mutation(description="Make a member ACTIVE, PAUSED or LEFT (coordinators).")
    async def set_member_status(
        self, info: Info[Context, None], id: strawberry.ID, status: MemberStatus
    ) -> MemberPayload:
        try:
            member_id = _id(id, "Member", "id")
        except BadId as bad:
            return MemberPayload(member=None, user_errors=_errors(bad))
        outcome = await info.context.services.members.set_status(
            info.context.principal, member_id, status
        )
        member = MemberType.of(outcome.value) if outcome.value else None
        return MemberPayload(member=member, user_errors=UserErrorType.list_of(outcome.errors))

    @strawberry.mutation(description="Add a supporter to a circle; members are invited first.")
    async def add_supporter(
        self, info: Info[Context, None], input: AddSupporterInput
    ) -> TiePayload:
        try:
            member_id = _id(input.member_id, "Member", "memberId")
            supporter_id = _id(input.supporter_member_id, "Member", "supporterMemberId")
            org_id = _id(input.organisation_id, "Organisation", "organisationId")
        except BadId as bad:
            return TiePayload(tie=None, user_errors=_errors(bad))
        outcome = await info.context.services.circles.add_supporter(
            info.context.principal,
            member_id,
            input.relation,
            supporter_member_id=supporter_id or None,
            person_name=input.person.display_name if input.person else None,
            organisation_id=org_id or None,
        )
        tie = TieType.of(outcome.value) if outcome.value else None
        return TiePayload(tie=tie, user_errors=UserErrorType.list_of(outcome.errors))

    @strawberry.mutation(description="Accept or decline being named a supporter.")
    async def respond_to_invitation(
        self, info: Info[Context, None], tie_id: strawberry.ID, accept: bool
    ) -> TiePayload:
        try:
            internal = _id(tie_id, "Tie", "tieId")
        except BadId as bad:
            return TiePayload(tie=None, user_errors=_errors(bad))
        outcome = await info.context.services.circles.respond(
            info.context.principal, internal, accept
        )
        tie = TieType.of(outcome.value) if outcome.value else None
        return TiePayload(tie=tie, user_errors=UserErrorType.list_of(outcome.errors))

    @strawberry.mutation(description="Change what a supporter is to the member.")
    async def update_supporter(
        self, info: Info[Context, None], tie_id: strawberry.ID, relation: Relation
    ) -> TiePayload:
        try:
            internal = _id(tie_id, "Tie", "tieId")
        except BadId as bad:
            return TiePayload(tie=None, user_errors=_errors(bad))
        outcome = await info.context.services.circles.update_relation(
            info.context.principal, internal, relation
        )
        tie = TieType.of(outcome.value) if outcome.value else None
        return TiePayload(tie=tie, user_errors=UserErrorType.list_of(outcome.errors))

    @strawberry.mutation(description="End a tie; its history is kept.")
    async def end_support(self, info: Info[Context, None], tie_id: strawberry.ID) -> TiePayload:
        try:
            internal = _id(tie_id, "Tie", "tieId")
        except BadId as bad:
            return TiePayload(tie=None, user_errors=_errors(bad))
        outcome = await info.context.services.circles.end(info.context.principal, internal)
        tie = TieType.of(outcome.value) if outcome.value else None
        return TiePayload(tie=tie, user_errors=UserErrorType.list_of(outcome.errors))

    @strawberry.mutation(description="Create an organisational supporter (coordinators).")
    async def create_organisation(
        self, info: Info[Context, None], input: CreateOrganisationInput
    ) -> OrganisationPayload:
        outcome = await info.context.services.organisations.create(
            info.context.principal, input.name, input.kind
        )
        org = OrganisationType.of(outcome.value) if outcome.value else None
        return OrganisationPayload(
            organisation=org, user_errors=UserErrorType.list_of(outcome.errors)
        )

    @strawberry.mutation(description="Record help given; the other party confirms it.")
    async def record_help(self, info: Info[Context, None], input: RecordHelpInput) -> HelpPayload:
        try:
            giver = _id(input.from_member_id, "Member", "fromMemberId")
            receiver = _id(input.to_member_id, "Member", "toMemberId")
        except BadId as bad:
            return HelpPayload(help=None, user_errors=_errors(bad))
        outcome = await info.context.services.help.record(
            info.context.principal, giver, receiver, input.on, input.kind
        )
        help_ = HelpType.of(outcome.value) if outcome.value else None
        return HelpPayload(help=help_, user_errors=UserErrorType.list_of(outcome.errors))

    @strawberry.mutation(description="Confirm help the other party recorded.")
    async def confirm_help(self, info: Info[Context, None], id: strawberry.ID) -> HelpPayload:
        try:
            internal = _id(id, "Help", "id")
        except BadId as bad:
            return HelpPayload(help=None, user_errors=_errors(bad))
        outcome = await info.context.services.help.confirm(info.context.principal, internal)
        help_ = HelpType.of(outcome.value) if outcome.value else None
        return HelpPayload(help=help_, user_errors=UserErrorType.list_of(outcome.errors))
