"""Root mutation fields: each returns its payload with userErrors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry
from strawberry.types import Info

from graph_service.api.context import Context
from graph_service.api.payloads import (
    AddSupporterInput,
    ConnectCodePayload,
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
from graph_service.api.supporter_types import OrganisationType
from graph_service.api.types import HelpType, MemberType, TieType
from graph_service.domain import (
    ErrorCode,
    Help,
    Member,
    MemberStatus,
    Organisation,
    Outcome,
    Relation,
    Tie,
    UserError,
)
from graph_service.ids import from_global_id

T = TypeVar("T")


class BadId(Exception):
    """A global id argument of the wrong shape or type."""

    def __init__(self, field: str, type_name: str) -> None:
        super().__init__(field)
        self.error = UserError(field, f"not a {type_name} id", ErrorCode.INVALID_INPUT)


def _id(value: str, type_name: str, field: str) -> str:
    try:
        return from_global_id(value, type_name)
    except ValueError:
        raise BadId(field, type_name) from None


def _optional_id(value: str | None, type_name: str, field: str) -> str | None:
    return None if value is None else _id(value, type_name, field)


async def _attempt(work: Callable[[], Awaitable[Outcome[T]]]) -> Outcome[T]:
    """Run a use-case; an undecodable id argument becomes an INVALID_INPUT user error."""
    try:
        return await work()
    except BadId as bad:
        return Outcome(errors=[bad.error])


def _member(outcome: Outcome[Member]) -> MemberPayload:
    return MemberPayload(
        member=MemberType.of(outcome.value) if outcome.value else None,
        user_errors=UserErrorType.list_of(outcome.errors),
    )


def _tie(outcome: Outcome[Tie]) -> TiePayload:
    return TiePayload(
        tie=TieType.of(outcome.value) if outcome.value else None,
        user_errors=UserErrorType.list_of(outcome.errors),
    )


def _help(outcome: Outcome[Help]) -> HelpPayload:
    return HelpPayload(
        help=HelpType.of(outcome.value) if outcome.value else None,
        user_errors=UserErrorType.list_of(outcome.errors),
    )


def _organisation(outcome: Outcome[Organisation]) -> OrganisationPayload:
    return OrganisationPayload(
        organisation=OrganisationType.of(outcome.value) if outcome.value else None,
        user_errors=UserErrorType.list_of(outcome.errors),
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Register a new member (coordinators).")
    async def register_member(
        self, info: Info[Context, None], input: RegisterMemberInput
    ) -> MemberPayload:
        ctx = info.context
        return _member(
            await ctx.services.members.register(
                ctx.principal, input.display_name, input.member_since
            )
        )

    @strawberry.mutation(description="Change a display name (coordinators, or the member).")
    async def update_member(
        self, info: Info[Context, None], input: UpdateMemberInput
    ) -> MemberPayload:
        ctx = info.context
        return _member(
            await _attempt(
                lambda: ctx.services.members.update(
                    ctx.principal, _id(input.id, "Member", "id"), input.display_name
                )
            )
        )

    @strawberry.mutation(description="Make a member ACTIVE, PAUSED or LEFT (coordinators).")
    async def set_member_status(
        self, info: Info[Context, None], id: strawberry.ID, status: MemberStatus
    ) -> MemberPayload:
        ctx = info.context
        return _member(
            await _attempt(
                lambda: ctx.services.members.set_status(
                    ctx.principal, _id(id, "Member", "id"), status
                )
            )
        )

    @strawberry.mutation(description="Add a supporter to a circle; members are invited first.")
    async def add_supporter(
        self, info: Info[Context, None], input: AddSupporterInput
    ) -> TiePayload:
        ctx = info.context
        return _tie(
            await _attempt(
                lambda: ctx.services.circles.add_supporter(
                    ctx.principal,
                    _id(input.member_id, "Member", "memberId"),
                    input.relation,
                    supporter_member_id=_optional_id(
                        input.supporter_member_id, "Member", "supporterMemberId"
                    ),
                    person_name=input.person.display_name if input.person else None,
                    organisation_id=_optional_id(
                        input.organisation_id, "Organisation", "organisationId"
                    ),
                    connect_code=input.connect_code,
                )
            )
        )

    @strawberry.mutation(
        description="Make a connect code (members): whoever you give it to can invite you."
    )
    async def create_connect_code(self, info: Info[Context, None]) -> ConnectCodePayload:
        ctx = info.context
        outcome = await ctx.services.connect_codes.create(ctx.principal)
        made = outcome.value
        return ConnectCodePayload(
            code=made.code if made else None,
            expires_at=made.expires_at if made else None,
            user_errors=UserErrorType.list_of(outcome.errors),
        )

    @strawberry.mutation(description="Accept or decline being named a supporter.")
    async def respond_to_invitation(
        self, info: Info[Context, None], tie_id: strawberry.ID, accept: bool
    ) -> TiePayload:
        ctx = info.context
        return _tie(
            await _attempt(
                lambda: ctx.services.circles.respond(
                    ctx.principal, _id(tie_id, "Tie", "tieId"), accept
                )
            )
        )

    @strawberry.mutation(description="Change what a supporter is to the member.")
    async def update_supporter(
        self, info: Info[Context, None], tie_id: strawberry.ID, relation: Relation
    ) -> TiePayload:
        ctx = info.context
        return _tie(
            await _attempt(
                lambda: ctx.services.circles.update_relation(
                    ctx.principal, _id(tie_id, "Tie", "tieId"), relation
                )
            )
        )

    @strawberry.mutation(description="End a tie; its history is kept.")
    async def end_support(self, info: Info[Context, None], tie_id: strawberry.ID) -> TiePayload:
        ctx = info.context
        return _tie(
            await _attempt(
                lambda: ctx.services.circles.end(ctx.principal, _id(tie_id, "Tie", "tieId"))
            )
        )

    @strawberry.mutation(description="Create an organisational supporter (coordinators).")
    async def create_organisation(
        self, info: Info[Context, None], input: CreateOrganisationInput
    ) -> OrganisationPayload:
        ctx = info.context
        return _organisation(
            await ctx.services.organisations.create(ctx.principal, input.name, input.kind)
        )

    @strawberry.mutation(description="Record help given; the other party confirms it.")
    async def record_help(self, info: Info[Context, None], input: RecordHelpInput) -> HelpPayload:
        ctx = info.context
        return _help(
            await _attempt(
                lambda: ctx.services.help.record(
                    ctx.principal,
                    _id(input.from_member_id, "Member", "fromMemberId"),
                    _id(input.to_member_id, "Member", "toMemberId"),
                    input.on,
                    input.kind,
                )
            )
        )

    @strawberry.mutation(description="Confirm help the other party recorded.")
    async def confirm_help(self, info: Info[Context, None], id: strawberry.ID) -> HelpPayload:
        ctx = info.context
        return _help(
            await _attempt(lambda: ctx.services.help.confirm(ctx.principal, _id(id, "Help", "id")))
        )

    @strawberry.mutation(description="Reject help the other party recorded: it is removed.")
    async def reject_help(self, info: Info[Context, None], id: strawberry.ID) -> RejectHelpPayload:
        ctx = info.context
        outcome = await _attempt(
            lambda: ctx.services.help.reject(ctx.principal, _id(id, "Help", "id"))
        )
        rejected = strawberry.ID(id) if outcome.value else None
        return RejectHelpPayload(
            rejected_help_id=rejected, user_errors=UserErrorType.list_of(outcome.errors)
        )

    @strawberry.mutation(description="Erase a member's personal data and ties (coordinators).")
    async def erase_member(self, info: Info[Context, None], id: strawberry.ID) -> ErasePayload:
        ctx = info.context
        outcome = await _attempt(
            lambda: ctx.services.privacy.erase(ctx.principal, _id(id, "Member", "id"))
        )
        erased = strawberry.ID(id) if outcome.value else None
        return ErasePayload(
            erased_member_id=erased, user_errors=UserErrorType.list_of(outcome.errors)
        )

    @strawberry.mutation(description="Set the wellness tools a member practises.")
    async def set_wellness_tools(
        self, info: Info[Context, None], member_id: strawberry.ID, tools: list[str]
    ) -> WellnessToolsPayload:
        ctx = info.context
        outcome = await _attempt(
            lambda: ctx.services.wellness.set_for(
                ctx.principal, _id(member_id, "Member", "memberId"), tools
            )
        )
        return WellnessToolsPayload(
            tools=outcome.value, user_errors=UserErrorType.list_of(outcome.errors)
        )

    @strawberry.mutation(description="Add a wellness tool to the list (coordinators).")
    async def add_wellness_tool(self, info: Info[Context, None], name: str) -> WellnessToolsPayload:
        ctx = info.context
        outcome = await ctx.services.wellness.add(ctx.principal, name)
        tools = await ctx.services.wellness.available() if outcome.value else None
        return WellnessToolsPayload(tools=tools, user_errors=UserErrorType.list_of(outcome.errors))


@strawberry.type(description="The tools after the change.")
class WellnessToolsPayload:
    tools: list[str] | None
    user_errors: list[UserErrorType]


@strawberry.type(description="The erased member's id; only pseudonymous audit events remain.")
class ErasePayload:
    erased_member_id: strawberry.ID | None
    user_errors: list[UserErrorType]


@strawberry.type(description="The rejected record's id; the audit trail keeps that it was.")
class RejectHelpPayload:
    rejected_help_id: strawberry.ID | None
    user_errors: list[UserErrorType]
