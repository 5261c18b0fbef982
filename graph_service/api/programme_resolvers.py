"""Root fields for the programme: sessions, schedules, registers, crisis plans and trends."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Annotated

import strawberry
from strawberry.types import Info

from graph_service.api.context import Context
from graph_service.api.mutations import _attempt, _id
from graph_service.api.pagination import Connection, page_window
from graph_service.api.payloads import UserErrorType
from graph_service.api.programme_types import CrisisPlanType, ProgrammeSessionType, TrendsType
from graph_service.domain import Outcome
from graph_service.domain_programme import NewSession, ProgrammeSession, Schedule, Weekday
from graph_service.services.validation import today

# programmeSessions without dates: the four weeks either side of today.
DEFAULT_WINDOW = timedelta(weeks=4)


@strawberry.input
class CreateSessionInput:
    kind: str
    on: date
    start_time: time
    venue: str
    minutes: int = 120
    facilitator_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Members who lead it."
    )
    staff_facilitators: list[str] = strawberry.field(
        default_factory=list, description="Coordinators who lead it, by name."
    )


@strawberry.input(description="Every chosen weekday at startTime, from one date to another.")
class ScheduleSessionsInput:
    kind: str
    weekdays: list[Weekday]
    start_time: time
    first: date = strawberry.field(name="from")
    last: date = strawberry.field(name="to")
    venue: str
    minutes: int = 120
    facilitator_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    staff_facilitators: list[str] = strawberry.field(default_factory=list)


@strawberry.input(description="The whole plan: what is left out is taken off it.")
class SetCrisisPlanInput:
    member_id: strawberry.ID
    involved_tie_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Open ties of the member's circle to involve."
    )
    not_involved: list[str] = strawberry.field(
        default_factory=list, description="Names of people who must not be involved."
    )


@strawberry.type
class ProgrammeSessionPayload:
    session: ProgrammeSessionType | None
    user_errors: list[UserErrorType]


@strawberry.type(description="The sessions a schedule made.")
class ScheduleSessionsPayload:
    sessions: list[ProgrammeSessionType] | None
    user_errors: list[UserErrorType]


@strawberry.type(description="The kinds of session after the change.")
class SessionKindsPayload:
    kinds: list[str] | None
    user_errors: list[UserErrorType]


@strawberry.type
class CrisisPlanPayload:
    crisis_plan: CrisisPlanType | None
    user_errors: list[UserErrorType]


def _session(outcome: Outcome[ProgrammeSession]) -> ProgrammeSessionPayload:
    return ProgrammeSessionPayload(
        session=ProgrammeSessionType.of(outcome.value) if outcome.value else None,
        user_errors=UserErrorType.list_of(outcome.errors),
    )


def _ids(values: list[strawberry.ID], type_name: str, field: str) -> list[str]:
    return [_id(value, type_name, field) for value in values]


@strawberry.type
class ProgrammeQuery:
    @strawberry.field(description="The kinds of programme session.")
    async def session_kinds(self, info: Info[Context, None]) -> list[str]:
        return await info.context.services.programme.available(info.context.principal)

    @strawberry.field(
        description="Sessions between two dates (default: four weeks either side of today); "
        "coordinators see all, a member the sessions they facilitate."
    )
    async def programme_sessions(
        self,
        info: Info[Context, None],
        first_day: Annotated[date | None, strawberry.argument(name="from")] = None,
        last_day: Annotated[date | None, strawberry.argument(name="to")] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ProgrammeSessionType]:
        offset, limit = page_window(first, after)
        now = today()
        page = await info.context.services.programme.sessions(
            info.context.principal,
            first_day or now - DEFAULT_WINDOW,
            last_day or now + DEFAULT_WINDOW,
            offset=offset,
            limit=limit,
        )
        nodes = [ProgrammeSessionType.of(s) for s in page.items]
        return Connection.of(nodes, page.offset, page.total)

    @strawberry.field(
        description="Figures month by month for commissioners (coordinators): from and to "
        "are months written YYYY-MM; small counts are withheld."
    )
    async def programme_trends(
        self,
        info: Info[Context, None],
        first_month: Annotated[str, strawberry.argument(name="from")],
        last_month: Annotated[str, strawberry.argument(name="to")],
    ) -> TrendsType:
        report = await info.context.services.trends.report(
            info.context.principal, first_month, last_month
        )
        return TrendsType.of(report)


@strawberry.type
class ProgrammeMutation:
    @strawberry.mutation(description="Add a kind of programme session (coordinators).")
    async def add_session_kind(self, info: Info[Context, None], name: str) -> SessionKindsPayload:
        ctx = info.context
        outcome = await ctx.services.programme.add_kind(ctx.principal, name)
        kinds = await ctx.services.programme.kinds() if outcome.value else None
        return SessionKindsPayload(kinds=kinds, user_errors=UserErrorType.list_of(outcome.errors))

    @strawberry.mutation(description="Put one session on the programme (coordinators).")
    async def create_session(
        self, info: Info[Context, None], input: CreateSessionInput
    ) -> ProgrammeSessionPayload:
        ctx = info.context
        return _session(
            await _attempt(
                lambda: ctx.services.programme.create(
                    ctx.principal,
                    NewSession(
                        input.kind,
                        input.on,
                        input.start_time,
                        input.minutes,
                        input.venue,
                        tuple(_ids(input.facilitator_ids, "Member", "facilitatorIds")),
                        tuple(input.staff_facilitators),
                    ),
                )
            )
        )

    @strawberry.mutation(description="Make the sessions of a recurring schedule (coordinators).")
    async def schedule_sessions(
        self, info: Info[Context, None], input: ScheduleSessionsInput
    ) -> ScheduleSessionsPayload:
        ctx = info.context
        outcome = await _attempt(
            lambda: ctx.services.programme.schedule(
                ctx.principal,
                Schedule(
                    input.kind,
                    tuple(dict.fromkeys(input.weekdays)),
                    input.start_time,
                    input.first,
                    input.last,
                    input.minutes,
                    input.venue,
                    tuple(_ids(input.facilitator_ids, "Member", "facilitatorIds")),
                    tuple(input.staff_facilitators),
                ),
            )
        )
        made = [ProgrammeSessionType.of(s) for s in outcome.value] if outcome.value else None
        return ScheduleSessionsPayload(
            sessions=made, user_errors=UserErrorType.list_of(outcome.errors)
        )

    @strawberry.mutation(description="Cancel a session that has no register (coordinators).")
    async def cancel_session(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> ProgrammeSessionPayload:
        ctx = info.context
        return _session(
            await _attempt(
                lambda: ctx.services.programme.cancel(
                    ctx.principal, _id(id, "ProgrammeSession", "id")
                )
            )
        )

    @strawberry.mutation(
        description="Take a session's register: exactly these members came (coordinators, "
        "and members who facilitate the session)."
    )
    async def take_register(
        self, info: Info[Context, None], session_id: strawberry.ID, present: list[strawberry.ID]
    ) -> ProgrammeSessionPayload:
        ctx = info.context
        return _session(
            await _attempt(
                lambda: ctx.services.attendance.take(
                    ctx.principal,
                    _id(session_id, "ProgrammeSession", "sessionId"),
                    _ids(present, "Member", "present"),
                )
            )
        )

    @strawberry.mutation(description="Set a crisis plan (the member, or coordinators for them).")
    async def set_crisis_plan(
        self, info: Info[Context, None], input: SetCrisisPlanInput
    ) -> CrisisPlanPayload:
        ctx = info.context
        outcome = await _attempt(
            lambda: ctx.services.crisis.set(
                ctx.principal,
                _id(input.member_id, "Member", "memberId"),
                _ids(input.involved_tie_ids, "Tie", "involvedTieIds"),
                input.not_involved,
            )
        )
        plan = CrisisPlanType.of(outcome.value) if outcome.value else None
        return CrisisPlanPayload(
            crisis_plan=plan, user_errors=UserErrorType.list_of(outcome.errors)
        )
