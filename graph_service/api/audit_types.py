"""GraphQL types for the audit trail."""

from __future__ import annotations

from datetime import datetime

import strawberry

from graph_service.domain import AuditEvent


@strawberry.type(name="AuditEvent", description="Who did what to whom, and when (ids only).")
class AuditEventType:
    record: strawberry.Private[AuditEvent]

    @strawberry.field
    def at(self) -> datetime:
        return datetime.fromisoformat(self.record.at)

    @strawberry.field(description="The member's or college's id, or the coordinator's name.")
    def actor_id(self) -> str:
        return self.record.actor_id

    @strawberry.field(description="coordinator, member or college.")
    def actor_role(self) -> str:
        return self.record.actor_role

    @strawberry.field(description="For example member.read, circle.add, enrolment.link.")
    def action(self) -> str:
        return self.record.action

    @strawberry.field(description="The global id of the member (or object) concerned.")
    def target_id(self) -> str:
        return self.record.target_id

    @strawberry.field(
        description="The server's id of the request that did it; it finds the log lines."
    )
    def request_id(self) -> str:
        return self.record.request_id

    @strawberry.field(description="The caller's own X-Request-ID, if it sent a valid one.")
    def client_request_id(self) -> str | None:
        return self.record.client_request_id
