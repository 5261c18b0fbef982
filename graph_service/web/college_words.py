"""Plain words for the colleges' pages: course kinds, form fields, and the API's userErrors."""

from __future__ import annotations

from typing import Final

from graph_service.domain import ErrorCode, UserError

CATEGORIES: Final = {
    "WELLNESS_TOOLBOX": "Wellness toolbox",
    "WRAP_EDUCATION": "WRAP (Wellness Recovery Action Plan)",
    "COMPLEMENTARY_THERAPY": "Complementary therapy",
    "MUSIC": "Music",
    "CRAFT": "Craft",
    "TAI_CHI": "Tai chi",
    "JOURNALING": "Journaling",
    "CREATIVE_WRITING": "Creative writing",
    "OTHER": "Other",
}

# userErrors name the API's fields; the college's forms name their own inputs.
FIELDS: Final = {
    "memberId": "member_id",
    "courseId": "member_id",  # the course is the page's own: "already enrolled" is about who
    "enrolledOn": "enrolled_on",
    "completedOn": "completed_on",
    "status": "status",
}

# The same words for "no such member" and "has not consented": a college must not learn who
# is a member of the network (the service gives both the one NO_CONSENT error).
NO_CONSENT: Final = (
    "No member with this id shares with your college. Check the id with the member: "
    "each member chooses on their own page which colleges they share with."
)
NOT_AN_ID: Final = (
    "This is not a member id. Copy the id exactly as the member gave it to you "
    "(it is a long code of letters and numbers)."
)
ALREADY_ENROLLED: Final = "This member is already linked to this course."

# The API's messages about dates, said in the page's own words.
MESSAGES: Final = {
    "must be within a year from today": "The date they enrolled must be within a year from today.",
    "a completed enrolment needs completedOn": (
        "A completed course needs the date it was completed."
    ),
    "must be between enrolledOn and today": (
        "The date completed must be between the date they enrolled and today."
    ),
    "only a COMPLETED enrolment has completedOn": (
        "Only a completed course has a date completed: clear the date, or choose Completed."
    ),
}

# The importer's reasons for a refused row, for the upload report (others are shown as given).
ROW_REASONS: Final = {
    "unknown member, or the member has not consented to share with this college": (
        "No member with this id shares with your college"
    ),
    "unknown course, or not a course of this college": "Not one of your college's courses",
}

COLUMNS: Final = {
    "member_id": "member id",
    "course_id": "course id",
    "enrolled_on": "date enrolled",
    "status": "status",
    "completed_on": "date completed",
}


def form_errors(found: list[UserError]) -> dict[str, str]:
    """userErrors in words, keyed by the form's input names ('' for the form as a whole)."""
    errors: dict[str, str] = {}
    for error in found:
        name = FIELDS.get(error.field or "", "")
        if error.code is ErrorCode.NO_CONSENT:
            text = NO_CONSENT
        elif error.code is ErrorCode.ALREADY_ENROLLED:
            text = ALREADY_ENROLLED
        else:
            text = MESSAGES.get(error.message) or error.message[:1].upper() + error.message[1:]
            text = text if text.endswith(".") else text + "."
        errors.setdefault(name, text)
    return errors
