"""Look-ahead: a resolver whose selection asks for a member's circle reads both in one statement.

Only a `circle` field selected directly (not through a fragment) is seen; anything else takes
the ordinary path through the loaders, with the same result.
"""

from __future__ import annotations

from typing import Any

from graphql import BooleanValueNode, FieldNode, VariableNode
from strawberry.types import Info

from graph_service.api.context import Context
from graph_service.api.loaders import Loaders
from graph_service.domain import Member, Tie


def circle_wanted(info: Info[Context, Any]) -> bool | None:
    """The `includeEnded` of a `circle` selected right under this field; None when none is."""
    for node in info._raw_info.field_nodes:
        for child in node.selection_set.selections if node.selection_set else ():
            if isinstance(child, FieldNode) and child.name.value == "circle":
                return _include_ended(child, info)
    return None


def _include_ended(field: FieldNode, info: Info[Context, Any]) -> bool | None:
    for argument in field.arguments or ():
        if argument.name.value != "includeEnded":
            continue
        value = argument.value
        if isinstance(value, BooleanValueNode):
            return value.value
        if isinstance(value, VariableNode):
            given = info.variable_values.get(value.name.value, False)
            return given if isinstance(given, bool) else None
        return None
    return False


def prime(
    loaders: Loaders,
    members: dict[str, Member],
    circles: dict[str, list[Tie]],
    include_ended: bool,
) -> None:
    """Give the loaders what one statement read, so the circle resolvers need no other."""
    for member_id, member in members.items():
        loaders.members.prime(member_id, member)
        loaders.circles.prime((member_id, include_ended), circles.get(member_id, []))
