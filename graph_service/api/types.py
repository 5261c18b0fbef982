"""GraphQL object types, built from domain records."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from graph_service.api.context import Context
from graph_service.api.pagination import Connection, page_window
from graph_service.auth import Principal, Role
from graph_service.domain import (
    Help,
    HelpBalance,
    HelpKind,
    Member,
    MemberStatus,
    Organisation,
    OrganisationKind,
    Relation,
    SupporterKind,
    Tie,
    TieStatus,
)
from graph_service.errors import GraphServiceError
from graph_service.ids import to_global_id
from graph_service.services import access

if TYPE_CHECKING:
    from graph_service.api.audit_types import AuditEventType
    from graph_service.api.college_types import ConsentType, EnrolmentType

strawberry.enum(MemberStatus, description="Whether a member takes part in the network.")
strawberry.enum(Relation, description="What a supporter is to the member.")
strawberry.enum(TieStatus, description="INVITED awaits the named member's answer.")
strawberry.enum(OrganisationKind, description="Kinds of organisational supporter.")
strawberry.enum(HelpKind, description="Kinds of help one member gives another.")


strawberry.enum(Role, description="What kind of user a token belongs to.")


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@strawberry.interface(description="An object with a global id: fetch it again with node(id).")
class Node:
    id: strawberry.ID


@strawberry.type(name="Member", description="A network member.")
class MemberType(Node):
    internal_id: strawberry.Private[str]
    known_name: strawberry.Private[str | None] = None
    record: strawberry.Private[Member | None] = None

    @classmethod
    def of(cls, member: Member) -> MemberType:
        """The type for a loaded member."""
        return cls(
            id=strawberry.ID(to_global_id("Member", member.id)),
            internal_id=member.id,
            known_name=member.display_name,
            record=member,
        )

    @classmethod
    def ref(cls, member_id: str, name: str | None = None) -> MemberType:
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

    @strawberry.field(description="The member's supporters: INVITED and ACTIVE, or every tie.")
    async def circle(self, info: Info[Context, None], include_ended: bool = False) -> list[TieType]:
        await self._guard(info, "circle.read")
        ties = await info.context.loaders.circles.load((self.internal_id, include_ended))
        return [TieType.of(tie) for tie in ties]

    @strawberry.field(description="Open ties in which this member supports others.")
    async def supporting(self, info: Info[Context, None]) -> list[TieType]:
        await self._guard(info, "circle.read")
        ties = await info.context.loaders.supporting.load((self.internal_id, False))
        return [TieType.of(tie) for tie in ties]

    @strawberry.field(description="Other members' requests that this member support them.")
    async def invitations(self, info: Info[Context, None]) -> list[TieType]:
        await self._guard(info, "circle.read")
        ties = await info.context.loaders.supporting.load((self.internal_id, True))
        return [TieType.of(tie) for tie in ties]

    @strawberry.field(description="Help given and received, and how much was confirmed.")
    async def help_balance(self, info: Info[Context, None]) -> HelpBalanceType:
        await self._guard(info, "help.read")
        balance = await info.context.loaders.balances.load(self.internal_id)
        return HelpBalanceType.of(balance)

    @strawberry.field(description="Help recorded by the other party, awaiting confirmation.")
    async def pending_help(self, info: Info[Context, None]) -> list[HelpType]:
        await self._guard(info, "help.read")
        return [
            HelpType.of(h) for h in await info.context.loaders.pending_help.load(self.internal_id)
        ]

    @strawberry.field(description="The member's enrolments on partner colleges' courses.")
    async def enrolments(
        self, info: Info[Context, None]
    ) -> list[Annotated[EnrolmentType, strawberry.lazy("graph_service.api.college_types")]]:
        from graph_service.api.college_types import EnrolmentType

        await self._guard(info, "enrolments.read")
        found = await info.context.loaders.enrolments_of_members.load(self.internal_id)
        return [EnrolmentType.of(e) for e in found]

    @strawberry.field(description="The colleges this member lets link their enrolments.")
    async def consents(
        self, info: Info[Context, None]
    ) -> list[Annotated[ConsentType, strawberry.lazy("graph_service.api.college_types")]]:
        from graph_service.api.college_types import ConsentType

        await self._guard(info, "enrolments.read")
        found = await info.context.loaders.consents_of.load(self.internal_id)
        return [ConsentType(record=c) for c in found]

    @strawberry.field(description="The wellness tools this member practises.")
    async def wellness_tools(self, info: Info[Context, None]) -> list[str]:
        await self._guard(info, "member.read")
        return await info.context.loaders.tools_of.load(self.internal_id)

    @strawberry.field(description="Who looked at or changed this member's data, and when.")
    async def access_log(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[Annotated[AuditEventType, strawberry.lazy("graph_service.api.audit_types")]]:
        from graph_service.api.audit_types import AuditEventType

        offset, limit = page_window(first, after)
        page = await info.context.services.audit.access_log(
            info.context.principal, self.internal_id, offset=offset, limit=limit
        )
        events = [AuditEventType(record=e) for e in page.items]
        return Connection.of(events, page.offset, page.total)


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


SupporterType = Annotated[MemberType | PersonType | OrganisationType, strawberry.union("Supporter")]


@strawberry.type(name="Tie", description="One tie of a member's circle.")
class TieType(Node):
    record: strawberry.Private[Tie]
    relation: Relation
    status: TieStatus
    since: datetime
    ended_at: datetime | None
    reciprocal: bool = strawberry.field(description="True when the supporter is supported back.")

    @classmethod
    def of(cls, tie: Tie) -> TieType:
        """The type for a tie."""
        return cls(
            id=strawberry.ID(to_global_id("Tie", tie.id)),
            record=tie,
            relation=tie.relation,
            status=tie.status,
            since=datetime.fromisoformat(tie.since),
            ended_at=_when(tie.ended_at),
            reciprocal=tie.reciprocal,
        )

    @strawberry.field(description="The member whose circle this tie belongs to.")
    def member(self) -> MemberType:
        return MemberType.ref(self.record.member_id, self.record.member_name)

    @strawberry.field
    async def supporter(self, info: Info[Context, None]) -> SupporterType:
        supporter = self.record.supporter
        if supporter.kind is SupporterKind.MEMBER:
            return MemberType.ref(supporter.id, supporter.name)
        if supporter.kind is SupporterKind.PERSON:
            return PersonType(
                id=strawberry.ID(to_global_id("Person", supporter.id)), display_name=supporter.name
            )
        org = await info.context.loaders.organisations.load(supporter.id)
        assert org is not None
        return OrganisationType.of(org)


@strawberry.type(name="Help", description="Help one member gave another.")
class HelpType(Node):
    record: strawberry.Private[Help]
    on: date
    kind: HelpKind
    confirmed: bool
    confirmed_at: datetime | None

    @classmethod
    def of(cls, help_: Help) -> HelpType:
        """The type for a help record."""
        return cls(
            id=strawberry.ID(to_global_id("Help", help_.id)),
            record=help_,
            on=help_.on,
            kind=help_.kind,
            confirmed=help_.confirmed,
            confirmed_at=_when(help_.confirmed_at),
        )

    @strawberry.field(name="from", description="Who gave the help.")
    def giver(self) -> MemberType:
        return MemberType.ref(self.record.from_member_id)

    @strawberry.field(name="to", description="Who received the help.")
    def receiver(self) -> MemberType:
        return MemberType.ref(self.record.to_member_id)


@strawberry.type(name="HelpBalance", description="Help given and received by a member.")
class HelpBalanceType:
    given: int
    received: int
    confirmed_given: int
    confirmed_received: int

    @classmethod
    def of(cls, balance: HelpBalance) -> HelpBalanceType:
        """The type for a balance."""
        return cls(
            given=balance.given,
            received=balance.received,
            confirmed_given=balance.confirmed_given,
            confirmed_received=balance.confirmed_received,
        )


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
        found = await info.context.loaders.members.load(self.principal.member_id)
        return MemberType.of(found) if found else None
