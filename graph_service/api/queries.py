"""Root query fields."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from graph_service.api.audit_types import AuditEventType
from graph_service.api.caller_types import MeType
from graph_service.api.context import Context
from graph_service.api.lookahead import circle_wanted, prime
from graph_service.api.node import Node
from graph_service.api.pagination import Connection, page_window
from graph_service.api.programme_types import ProgrammeSessionType
from graph_service.api.supporter_types import OrganisationType, PersonType
from graph_service.api.types import (
    CollegeType,
    CourseType,
    EnrolmentType,
    HelpType,
    MemberType,
    TieType,
)
from graph_service.domain import MemberStatus
from graph_service.errors import InvalidInput
from graph_service.ids import from_global_id, parse_global_id, to_global_id


def internal_id(global_id: str, type_name: str, argument: str = "id") -> str:
    """The internal id of a global id argument, or INVALID_INPUT."""
    try:
        return from_global_id(global_id, type_name)
    except ValueError:
        raise InvalidInput(f"{argument} is not a {type_name} id") from None


async def _node(info: Info[Context, None], type_name: str, node_id: str) -> Node | None:
    services, principal = info.context.services, info.context.principal
    if type_name == "Member":
        member = await services.members.get(principal, node_id)
        return MemberType.of(member) if member else None
    if type_name == "Tie":
        tie = await services.circles.tie(principal, node_id)
        return TieType.of(tie) if tie else None
    if type_name == "Help":
        help_ = await services.help.get(principal, node_id)
        return HelpType.of(help_) if help_ else None
    if type_name == "Organisation":
        org = (await services.organisations.by_ids([node_id])).get(node_id)
        return OrganisationType.of(org) if org else None
    if type_name == "College":
        college = await services.colleges.college(principal, node_id)
        return CollegeType.of(college) if college else None
    if type_name == "Course":
        course = await services.colleges.course(principal, node_id)
        return CourseType.of(course) if course else None
    if type_name == "Enrolment":
        enrolment = await services.enrolments.get(principal, node_id)
        return EnrolmentType.of(enrolment) if enrolment else None
    if type_name == "ProgrammeSession":
        session = await services.programme.get(principal, node_id)
        return ProgrammeSessionType.of(session) if session else None
    if type_name == "Person":
        person = await services.circles.person(principal, node_id)
        if person is None:
            return None
        return PersonType(
            id=strawberry.ID(to_global_id("Person", node_id)), display_name=person.name
        )
    return None


@strawberry.type
class Query:
    @strawberry.field(description="The caller: role and id from their token.")
    def me(self, info: Info[Context, None]) -> MeType:
        return MeType(principal=info.context.principal)

    @strawberry.field(description="Any object by its global id.")
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:
        try:
            type_name, node_id = parse_global_id(id)
        except ValueError:
            raise InvalidInput("id is not a global id") from None
        return await _node(info, type_name, node_id)

    @strawberry.field(description="One member (coordinators, or the member themself).")
    async def member(self, info: Info[Context, None], id: strawberry.ID) -> MemberType | None:
        member_id = internal_id(id, "Member")
        include_ended = circle_wanted(info)
        if include_ended is None:
            found = await info.context.services.members.get(info.context.principal, member_id)
        else:
            found, ties = await info.context.services.members.get_with_circle(
                info.context.principal, member_id, include_ended
            )
            if found is not None:
                prime(info.context.loaders, {member_id: found}, {member_id: ties}, include_ended)
        return MemberType.of(found) if found else None

    @strawberry.field(description="Members by display name; a member's token sees only itself.")
    async def members(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        status: MemberStatus | None = None,
        search: str | None = None,
    ) -> Connection[MemberType]:
        offset, limit = page_window(first, after)
        page = await info.context.services.members.page(
            info.context.principal, offset=offset, limit=limit, status=status, search=search
        )
        return Connection.of([MemberType.of(m) for m in page.items], page.offset, page.total)

    @strawberry.field(description="The audit trail, newest first (coordinators).")
    async def audit_log(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        target_id: str | None = None,
        actor_id: str | None = None,
    ) -> Connection[AuditEventType]:
        offset, limit = page_window(first, after)
        page = await info.context.services.audit.log(
            info.context.principal, offset=offset, limit=limit, target_id=target_id, actor=actor_id
        )
        events = [AuditEventType(record=e) for e in page.items]
        return Connection.of(events, page.offset, page.total)

    @strawberry.field(description="Everything held about you, as one JSON document (members).")
    async def export_my_data(self, info: Info[Context, None]) -> JSON | None:
        document = await info.context.services.privacy.export(info.context.principal)
        return JSON(document) if document is not None else None

    @strawberry.field(description="The wellness tools members can choose from.")
    async def wellness_tools(self, info: Info[Context, None]) -> list[str]:
        return await info.context.services.wellness.available()

    @strawberry.field(description="Organisations that can be named as supporters.")
    async def organisations(self, info: Info[Context, None]) -> list[OrganisationType]:
        orgs = await info.context.services.organisations.all(info.context.principal)
        return [OrganisationType.of(org) for org in orgs]
