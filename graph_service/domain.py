"""Domain records (frozen dataclasses) and enums shared by services, store and API."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar

T = TypeVar("T")


class MemberStatus(enum.Enum):
    """Whether a member takes part in the network."""

    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    LEFT = "LEFT"


class Relation(enum.Enum):
    """What a supporter is to the member."""

    FAMILY = "FAMILY"
    FRIEND = "FRIEND"
    PEER = "PEER"
    PROFESSIONAL = "PROFESSIONAL"
    ORGANISATION = "ORGANISATION"


class TieStatus(enum.Enum):
    """Where a tie of a circle stands."""

    INVITED = "INVITED"
    ACTIVE = "ACTIVE"
    DECLINED = "DECLINED"
    ENDED = "ENDED"


OPEN_TIE_STATUSES = (TieStatus.INVITED, TieStatus.ACTIVE)


class SupporterKind(enum.Enum):
    """What sits at the supporter end of a tie."""

    MEMBER = "MEMBER"
    PERSON = "PERSON"
    ORGANISATION = "ORGANISATION"


class OrganisationKind(enum.Enum):
    """Kinds of organisational supporter."""

    PEER_NETWORK = "PEER_NETWORK"
    COLLEGE_SUPPORT = "COLLEGE_SUPPORT"
    CARE_AGENCY = "CARE_AGENCY"
    OTHER = "OTHER"


class HelpKind(enum.Enum):
    """Kinds of help one member gives another."""

    LISTENING = "LISTENING"
    PRACTICAL = "PRACTICAL"
    WELLNESS_TOOL = "WELLNESS_TOOL"
    SKILLS = "SKILLS"
    OTHER = "OTHER"


class CourseCategory(enum.Enum):
    """What a partner college's course is about."""

    WELLNESS_TOOLBOX = "WELLNESS_TOOLBOX"
    WRAP_EDUCATION = "WRAP_EDUCATION"
    COMPLEMENTARY_THERAPY = "COMPLEMENTARY_THERAPY"
    MUSIC = "MUSIC"
    CRAFT = "CRAFT"
    TAI_CHI = "TAI_CHI"
    JOURNALING = "JOURNALING"
    CREATIVE_WRITING = "CREATIVE_WRITING"
    OTHER = "OTHER"


class EnrolmentStatus(enum.Enum):
    """Where a member's enrolment on a course stands."""

    ENROLLED = "ENROLLED"
    COMPLETED = "COMPLETED"
    WITHDRAWN = "WITHDRAWN"


class IsolationReason(enum.Enum):
    """Why a member may be isolated (the analyses' codes)."""

    NO_SUPPORTERS = "NO_SUPPORTERS"
    BELOW_THRESHOLD = "BELOW_THRESHOLD"
    ONLY_PAID_SUPPORT = "ONLY_PAID_SUPPORT"
    ONLY_PENDING = "ONLY_PENDING"
    GIVES_NOT_RECEIVES = "GIVES_NOT_RECEIVES"
    SMALL_COMPONENT = "SMALL_COMPONENT"
    STOPPED_ATTENDING = "STOPPED_ATTENDING"
    NO_RECENT_ACTIVITY = "NO_RECENT_ACTIVITY"


class FragilityReason(enum.Enum):
    """Why a circle or a place in the network is fragile."""

    SINGLE_PERSONAL_SUPPORTER = "SINGLE_PERSONAL_SUPPORTER"
    ARTICULATION_POINT = "ARTICULATION_POINT"


class ErrorCode(enum.Enum):
    """Codes of expected failures, returned as data (userErrors)."""

    NOT_FOUND = "NOT_FOUND"
    CIRCLE_FULL = "CIRCLE_FULL"
    ALREADY_IN_CIRCLE = "ALREADY_IN_CIRCLE"
    SELF_SUPPORT = "SELF_SUPPORT"
    MEMBER_NOT_ACTIVE = "MEMBER_NOT_ACTIVE"
    INVALID_INPUT = "INVALID_INPUT"
    NOT_PENDING = "NOT_PENDING"
    NO_CONSENT = "NO_CONSENT"
    ALREADY_ENROLLED = "ALREADY_ENROLLED"
    # The name is on the member's crisis plan as someone who must not be involved.
    KEPT_OUT_BY_CRISIS_PLAN = "KEPT_OUT_BY_CRISIS_PLAN"


@dataclass(frozen=True)
class UserError:
    """An expected failure: which input field, what went wrong, a stable code."""

    field: str | None
    message: str
    code: ErrorCode


@dataclass(frozen=True)
class Member:
    """A network member."""

    id: str
    display_name: str
    status: MemberStatus
    member_since: date
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Organisation:
    """An organisational supporter (the peer network, a college's support service, ...)."""

    id: str
    name: str
    kind: OrganisationKind


@dataclass(frozen=True)
class Supporter:
    """The supporter end of a tie: a member, another person or an organisation."""

    id: str
    kind: SupporterKind
    name: str
    organisation_kind: OrganisationKind | None = None


@dataclass(frozen=True)
class Tie:
    """One tie of a member's circle: member -[SUPPORTED_BY]-> supporter."""

    id: str
    member_id: str
    member_name: str
    supporter: Supporter
    relation: Relation
    status: TieStatus
    since: str
    ended_at: str | None
    reciprocal: bool
    # False while a member supporter has not accepted: INVITED, DECLINED, or ended unanswered.
    accepted: bool = True


@dataclass(frozen=True)
class Help:
    """A record of help given by one member to another."""

    id: str
    from_member_id: str
    to_member_id: str
    on: date
    kind: HelpKind
    recorded_by: str
    confirmed: bool
    confirmed_at: str | None


@dataclass(frozen=True)
class HelpBalance:
    """How much help a member gave and received (and how much of it was confirmed)."""

    given: int = 0
    received: int = 0
    confirmed_given: int = 0
    confirmed_received: int = 0


@dataclass(frozen=True)
class College:
    """A partner further-education college."""

    id: str
    name: str


@dataclass(frozen=True)
class Course:
    """A course a college offers."""

    id: str
    college_id: str
    title: str
    category: CourseCategory
    term: str
    retired: bool


@dataclass(frozen=True)
class Enrolment:
    """A member's enrolment on a course, linked by the college."""

    id: str
    member_id: str
    member_name: str
    course_id: str
    college_id: str
    status: EnrolmentStatus
    enrolled_on: date
    completed_on: date | None
    consenting: bool


@dataclass(frozen=True)
class Consent:
    """A member's consent for a college to link their enrolments."""

    college_id: str
    college_name: str
    granted_at: str


@dataclass(frozen=True)
class AuditEvent:
    """Who did what to whom, and when: ids only, never names or health details."""

    id: str
    at: str
    actor_id: str
    actor_role: str
    action: str
    target_id: str
    request_id: str  # the server's id of the request, never the caller's
    client_request_id: str | None = None  # the caller's own X-Request-ID, when valid


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, from which offset, and the total."""

    items: list[T]
    offset: int
    total: int

    @property
    def has_next(self) -> bool:
        """True when items follow this page."""
        return self.offset + len(self.items) < self.total


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """A write's result: the changed record, or the user errors that stopped it."""

    value: T | None = None
    errors: list[UserError] = field(default_factory=list)

    @classmethod
    def fail(cls, code: ErrorCode, message: str, field: str | None = None) -> Outcome[T]:
        """An outcome with a single user error."""
        return cls(None, [UserError(field, message, code)])
