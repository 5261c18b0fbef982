"""GraphQL subscriptions, over graphql-transport-ws on /graphql (see api.live_socket).

`isolationChanged` tells a coordinator of every member whose isolation reasons change: who
became isolated, who no longer is, whose reasons differ, as the writes that change them commit
on this replica or any other (services.change_log).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import ExitStack

import strawberry
from strawberry.types import Info

from graph_service.analysis.live import IsolationChange
from graph_service.api.context import Context
from graph_service.api.loaders import Loaders
from graph_service.api.types import MemberType
from graph_service.domain import IsolationReason
from graph_service.ids import to_global_id

READ_ACTION = "isolation.changed"  # the audit trail's name for a coordinator told of a change


@strawberry.type(description="A member whose isolation reasons changed.")
class IsolationChanged:
    member_id: strawberry.ID
    member: MemberType | None = strawberry.field(description="null once the member is erased.")
    reasons: list[IsolationReason] = strawberry.field(
        description="The reasons now: empty when the member is no longer flagged."
    )
    previous_reasons: list[IsolationReason]
    active_supporters: int
    isolated: bool = strawberry.field(description="Whether the member is flagged now.")


async def _told(context: Context, batch: list[IsolationChange]) -> list[IsolationChanged]:
    """The changes as the API shows them, with the members read afresh (and audited)."""
    services, principal = context.services, context.principal
    ids = [change.member_id for change in batch]
    members = await services.members.by_ids(ids)
    await services.audit.record_reads([(principal, READ_ACTION, member) for member in ids])
    found = []
    for change in batch:
        after, before = change.after, change.before
        member = members.get(change.member_id)
        found.append(
            IsolationChanged(
                member_id=strawberry.ID(to_global_id("Member", change.member_id)),
                member=MemberType.of(member) if member else None,
                reasons=[IsolationReason(code) for code in (after.reasons if after else ())],
                previous_reasons=[
                    IsolationReason(code) for code in (before.reasons if before else ())
                ],
                active_supporters=after.active_supporters if after else 0,
                isolated=after is not None,
            )
        )
    return found


class _Stream:
    """The changes told one subscriber; its watch and slot end with it, however it ends."""

    def __init__(
        self, context: Context, queue: asyncio.Queue[list[IsolationChange]], held: ExitStack
    ) -> None:
        self.context = context
        self.queue = queue
        self.held = held
        self.ready: list[IsolationChanged] = []

    def __aiter__(self) -> _Stream:
        return self

    async def __anext__(self) -> IsolationChanged:
        streams = self.context.streams
        assert streams is not None
        while not self.ready:
            batch = await streams.next(self.queue)
            if batch is None:  # the server is stopping: the subscription completes
                await self.aclose()
                raise StopAsyncIteration
            # Fresh loaders for each batch: a connection's lasts for hours, its cache must not.
            self.context.loaders = Loaders.build(self.context.services)
            self.ready = await _told(self.context, batch)
        return self.ready.pop(0)

    async def aclose(self) -> None:
        """Stop watching and give the caller's slot back (also when never iterated)."""
        self.held.close()


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Members whose isolation reasons change, as they change (coordinators)."
    )
    async def isolation_changed(
        self, info: Info[Context, None], min_supporters: int = 2
    ) -> AsyncIterator[IsolationChanged]:
        # Checked before the stream starts, so a refusal is the operation's error message.
        context = info.context
        assert context.streams is not None
        queue: asyncio.Queue[list[IsolationChange]] = asyncio.Queue()
        held = ExitStack()
        try:
            held.enter_context(context.streams.slot(context.principal))
            held.callback(
                await context.services.analyses.watch_isolation(
                    context.principal, queue.put_nowait, min_supporters=min_supporters
                )
            )
        except BaseException:
            held.close()
            raise
        return _Stream(context, queue, held)
