"""Members' data rights under UK GDPR: export everything held, and erasure."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from graph_service.auth import Principal
from graph_service.domain import AuditEvent, ErrorCode, Outcome, SupporterKind, Tie, TieStatus
from graph_service.events import ChangeKind, change
from graph_service.ids import to_global_id
from graph_service.services import access
from graph_service.services.audit import AuditService
from graph_service.services.invitations import as_seen_by, withheld
from graph_service.services.validation import now_iso
from graph_service.store import Store, changes
from graph_service.store import attendance as store_attendance
from graph_service.store import audit as store_audit
from graph_service.store import circles as store_circles
from graph_service.store import crisis as store_crisis
from graph_service.store import enrolments as store_enrolments
from graph_service.store import idempotency as store_idempotency
from graph_service.store import members as store_members
from graph_service.store import privacy as store_privacy

EXPORT_AUDIT_LIMIT = 10_000


def _tie(tie: Tie, *, name_withheld: bool = False) -> dict[str, Any]:
    return {
        "id": to_global_id("Tie", tie.id),
        "member": {"id": to_global_id("Member", tie.member_id), "displayName": tie.member_name},
        "supporter": {
            "kind": tie.supporter.kind.value,
            "id": to_global_id(tie.supporter.kind.value.title(), tie.supporter.id),
            "name": tie.supporter.name,
            "nameWithheld": name_withheld,
        },
        "relation": tie.relation.value,
        "status": tie.status.value,
        "since": tie.since,
        "endedAt": tie.ended_at,
        "reciprocal": tie.reciprocal,
    }


def _event(event: AuditEvent) -> dict[str, Any]:
    return {"at": event.at, "actorRole": event.actor_role, "action": event.action}


class PrivacyService:
    """Export and erasure."""

    def __init__(self, store: Store, audit: AuditService) -> None:
        self.store = store
        self.audit = audit

    async def export(self, principal: Principal) -> dict[str, Any] | None:
        """One document with everything held about the calling member (None once erased)."""
        member_id = access.require_member(principal)
        member = (await store_members.members_by_ids(self.store, [member_id])).get(member_id)
        if member is None:
            return None
        circle = (await store_circles.circles(self.store, [member_id], True))[member_id]
        every_status = list(TieStatus)
        supporting = (await store_circles.supporting(self.store, [member_id], every_status))[
            member_id
        ]
        help_rows = await store_privacy.help_of(self.store, member_id)
        enrolments = (await store_enrolments.of_members(self.store, [member_id]))[member_id]
        consents = await store_privacy.consent_history(self.store, member_id)
        attended = (await store_attendance.attended_by(self.store, [member_id]))[member_id]
        crisis_plan = (await store_crisis.plans(self.store, [member_id]))[member_id]
        log = await store_audit.events(
            self.store,
            offset=0,
            limit=EXPORT_AUDIT_LIMIT,
            target_id=to_global_id("Member", member_id),
        )
        await self.audit.record(principal, "member.export", member_id)
        profile = asdict(member)
        return {
            "exportedAt": now_iso(),
            "member": {
                "id": to_global_id("Member", member.id),
                "displayName": member.display_name,
                "status": member.status.value,
                "memberSince": member.member_since.isoformat(),
                "createdAt": profile["created_at"],
                "updatedAt": profile["updated_at"],
            },
            # Members who have not accepted are not named: their names are not this member's.
            "circle": [
                _tie(as_seen_by(principal, t), name_withheld=withheld(principal, t)) for t in circle
            ],
            "supporting": [_tie(t) for t in supporting],
            "invitations": [_tie(t) for t in supporting if t.status is TieStatus.INVITED],
            "help": [
                {
                    "id": to_global_id("Help", row["help"]["id"]),
                    "direction": "given" if row["fromId"] == member_id else "received",
                    "otherMember": to_global_id(
                        "Member", row["toId"] if row["fromId"] == member_id else row["fromId"]
                    ),
                    "on": row["help"]["on"],
                    "kind": row["help"]["kind"],
                    "confirmed": row["help"]["confirmed"],
                }
                for row in help_rows
            ],
            "enrolments": [
                {
                    "id": to_global_id("Enrolment", e.id),
                    "course": to_global_id("Course", e.course_id),
                    "college": to_global_id("College", e.college_id),
                    "status": e.status.value,
                    "enrolledOn": e.enrolled_on.isoformat(),
                    "completedOn": e.completed_on.isoformat() if e.completed_on else None,
                }
                for e in enrolments
            ],
            "consents": [
                {
                    "college": to_global_id("College", row["collegeId"]),
                    "collegeName": row["collegeName"],
                    "grantedAt": row["grantedAt"],
                    "revokedAt": row["revokedAt"],
                }
                for row in consents
            ],
            "attendance": [
                {
                    "session": to_global_id("ProgrammeSession", a.session.id),
                    "kind": a.session.kind,
                    "on": a.session.on.isoformat(),
                    "startTime": a.session.start_time.strftime("%H:%M"),
                    "venue": a.session.venue,
                    "recordedAt": a.recorded_at,
                }
                for a in attended
            ],
            "crisisPlan": {
                "involved": [
                    _tie(as_seen_by(principal, t), name_withheld=withheld(principal, t))
                    for t in crisis_plan.involved
                ],
                "notInvolved": list(crisis_plan.not_involved),
                "updatedAt": crisis_plan.updated_at,
            },
            "accessLog": [_event(e) for e in log.items],
        }

    async def erase(self, principal: Principal, member_id: str) -> Outcome[str]:
        """Erase a member's personal data and ties; audit events stay, pseudonymous."""
        access.require_coordinator(principal)
        await self._forget_kept_responses(member_id)
        if not await store_privacy.erase_member(self.store, member_id):
            return Outcome.fail(ErrorCode.NOT_FOUND, "no such member", "id")
        await self.audit.record(principal, "member.erase", member_id)
        await changes.record(self.store, change(ChangeKind.MEMBER_ERASED, member_id))
        return Outcome(member_id)

    async def _forget_kept_responses(self, member_id: str) -> None:
        # Responses kept for idempotent retries can carry the member's name or their
        # supporters': they go with the member (in the erasure's own transaction).
        member = (await store_members.members_by_ids(self.store, [member_id])).get(member_id)
        if member is None:
            return
        circle = (await store_circles.circles(self.store, [member_id], True))[member_id]
        global_id = to_global_id("Member", member_id)
        texts = [global_id, member.display_name]
        texts += [t.supporter.name for t in circle if t.supporter.kind is SupporterKind.PERSON]
        texts += await store_crisis.not_involved(self.store, member_id)
        await store_idempotency.delete_mentioning(self.store, actor_ids=[global_id], texts=texts)
