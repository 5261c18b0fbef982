"""Plain-English words for the codes the services use."""

from __future__ import annotations

from typing import Final

REASONS: Final = {
    "NO_SUPPORTERS": "Has no supporters",
    "BELOW_THRESHOLD": "Fewer than two active supporters",
    "ONLY_PAID_SUPPORT": "Only paid or organisational support",
    "ONLY_PENDING": "Only invitations still waiting for an answer",
    "GIVES_NOT_RECEIVES": "Supports others but has no support back",
    "SMALL_COMPONENT": "Connected only to a small, separate group",
    "STOPPED_ATTENDING": "Came to sessions, then stopped coming",
    "NO_RECENT_ACTIVITY": "No help, courses or sessions in the last 90 days",
}

RELATIONS: Final = {
    "FAMILY": "Family",
    "FRIEND": "Friend",
    "PEER": "Peer",
    "PROFESSIONAL": "Paid worker",
    "ORGANISATION": "Organisation",
}

TIE_STATUSES: Final = {
    "INVITED": "Invited, waiting for an answer",
    "ACTIVE": "Active",
    "DECLINED": "Declined",
    "ENDED": "Ended",
}

MEMBER_STATUSES: Final = {"ACTIVE": "Active", "PAUSED": "Paused", "LEFT": "Left the network"}

HELP_KINDS: Final = {
    "LISTENING": "Listening",
    "PRACTICAL": "Practical help",
    "WELLNESS_TOOL": "Sharing a wellness tool",
    "SKILLS": "Sharing a skill",
    "OTHER": "Other help",
}

FRAGILITY: Final = {
    "SINGLE_PERSONAL_SUPPORTER": "All personal support comes from one person",
    "ARTICULATION_POINT": "Holds part of the network together",
}

SUPPORTER_KINDS: Final = {"MEMBER": "Member", "PERSON": "Person", "ORGANISATION": "Organisation"}

ENROLMENT_STATUSES: Final = {
    "ENROLLED": "Enrolled",
    "COMPLETED": "Completed",
    "WITHDRAWN": "Withdrawn",
}

# userErrors name API fields; the pages name their own inputs.
FORM_FIELDS: Final = {
    "person.displayName": "person_name",
    "supporterMemberId": "supporter_member_id",
    "organisationId": "organisation_id",
    "supporter": "kind",
    "memberId": "kind",
    "relation": "relation",
    "toMemberId": "other_member_id",
    "fromMemberId": "other_member_id",
    "on": "on",
    "tieId": "tie",
    "id": "status",
    "displayName": "display_name",
}
