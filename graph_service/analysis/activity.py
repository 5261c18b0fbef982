"""When each member last did something the graph records: help given or received, enrolments,
programme sessions attended.

Help counts whether confirmed or not (a record is something the member did, even while it
waits for the other party); an enrolment counts on the day it was made and the day it was
completed; a session on its day. Ties carry no dates in the projection, so they do not count.
"""

from __future__ import annotations

from datetime import date

from graph_service.analysis.projection import (
    ENROLLED_IN,
    HELPED,
    MEMBER,
    Projection,
    cyclic_gc_paused,
    programme_of,
)


def _later(seen: dict[str, date], member: str, when: date | None) -> None:
    if when is not None and (member not in seen or when > seen[member]):
        seen[member] = when


@cyclic_gc_paused()
def last_activity(g: Projection) -> dict[str, date]:
    """The latest dated activity of every member who has any."""
    seen: dict[str, date] = {}
    for u, v, data in g.edges(data=True):
        kind = data["type"]
        if kind == HELPED and isinstance(u, str) and isinstance(v, str):
            _later(seen, u, data["on"])
            _later(seen, v, data["on"])
        elif kind == ENROLLED_IN and isinstance(u, str) and g.nodes[u]["kind"] == MEMBER:
            _later(seen, u, data["enrolled_on"])
            _later(seen, u, data["completed_on"])
    programme = programme_of(g)
    for member, sessions in programme.attended.items():
        _later(seen, member, programme.sessions[sessions[-1]].on)  # oldest first: the last
    return seen
