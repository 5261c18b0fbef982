"""Who may do what (DESIGN.md §6), checked before any read or write."""

from __future__ import annotations

from graph_service.auth import Principal, Role
from graph_service.errors import PermissionDenied


def require_coordinator(principal: Principal) -> None:
    """Only coordinators."""
    if principal.role is not Role.COORDINATOR:
        raise PermissionDenied("only coordinators may do this")


def require_member(principal: Principal) -> str:
    """Only members; returns the member's id."""
    if principal.role is not Role.MEMBER or principal.member_id is None:
        raise PermissionDenied("only members may do this")
    return principal.member_id


def may_read_member(principal: Principal, member_id: str) -> bool:
    """Coordinators read every member; a member reads only themself."""
    return principal.role is Role.COORDINATOR or (
        principal.role is Role.MEMBER and principal.member_id == member_id
    )


def require_member_access(principal: Principal, member_id: str) -> None:
    """Coordinators, or the member themself (their profile, circle, help)."""
    if not may_read_member(principal, member_id):
        raise PermissionDenied("you may not see or change this member's data")


def require_staff_or_member(principal: Principal) -> None:
    """Coordinators and members; colleges see nothing of circles."""
    if principal.role is Role.COLLEGE:
        raise PermissionDenied("college tokens cannot see members' circles")


def require_college_access(principal: Principal, college_id: str) -> None:
    """Coordinators, or the college itself (its own courses and enrolments)."""
    if principal.role is Role.COORDINATOR:
        return
    if principal.role is not Role.COLLEGE or principal.college_id != college_id:
        raise PermissionDenied("only coordinators and the college itself may do this")


def require_college_or_coordinator(principal: Principal) -> None:
    """Coordinators and colleges; members do not manage enrolments."""
    if principal.role is Role.MEMBER:
        raise PermissionDenied("members do not manage enrolments")
