"""GraphQL types and the root query field for security events (refused requests)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from graph_service.api.context import Context
from graph_service.api.pagination import Connection, page_window
from graph_service.security_events import SecurityEvent, SecurityEventKind

strawberry.enum(SecurityEventKind, description="What was refused: credentials or permission.")


@strawberry.type(
    name="SecurityEvent",
    description="Refused requests of one kind, reason, actor and client within one minute.",
)
class SecurityEventType:
    record: strawberry.Private[SecurityEvent]

    @strawberry.field(description="The first refusal counted here.")
    def at(self) -> datetime:
        return datetime.fromisoformat(self.record.at)

    @strawberry.field(description="The last refusal counted here.")
    def last_at(self) -> datetime:
        return datetime.fromisoformat(self.record.last_at)

    @strawberry.field
    def kind(self) -> SecurityEventKind:
        return self.record.kind

    @strawberry.field(
        description="Why, in words, with the field or page refused (never a token or a name)."
    )
    def reason(self) -> str:
        return self.record.reason

    @strawberry.field(description="The caller's id or token subject, when a token verified.")
    def actor_id(self) -> str | None:
        return self.record.actor_id

    @strawberry.field(
        description="A pseudonym of the client's address: a keyed hash that changes daily."
    )
    def client_hash(self) -> str | None:
        return self.record.client_hash

    @strawberry.field(description="The server's id of the first refused request (in the logs).")
    def request_id(self) -> str:
        return self.record.request_id

    @strawberry.field(description="How many refusals this event counts.")
    def count(self) -> int:
        return self.record.count


@strawberry.type
class SecurityQuery:
    @strawberry.field(description="Refused requests, newest first (coordinators).")
    async def security_events(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        kind: SecurityEventKind | None = None,
    ) -> Connection[SecurityEventType]:
        offset, limit = page_window(first, after)
        page = await info.context.services.security.log(
            info.context.principal, offset=offset, limit=limit, kind=kind
        )
        events = [SecurityEventType(record=e) for e in page.items]
        return Connection.of(events, page.offset, page.total)
