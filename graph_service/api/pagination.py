"""Relay cursor connections over offset pages."""

from __future__ import annotations

import base64
import binascii
from typing import Generic, TypeVar

import strawberry

from graph_service.errors import InvalidInput
from graph_service.services.validation import PAGE_MAX

NodeT = TypeVar("NodeT")
DEFAULT_PAGE = 20
# No list comes near a million items; a larger offset is a forged cursor, and the engine
# fails on offsets past its integer range instead of answering with an empty page.
MAX_OFFSET = 10**6


def offset_cursor(offset: int) -> str:
    """The opaque cursor of the item at an offset."""
    return base64.b64encode(f"offset:{offset}".encode()).decode("ascii")


def page_window(first: int | None, after: str | None) -> tuple[int, int]:
    """(offset, limit) for Relay's first/after, with clear errors for bad values."""
    limit = DEFAULT_PAGE if first is None else first
    if not 1 <= limit <= PAGE_MAX:
        raise InvalidInput(f"first must be between 1 and {PAGE_MAX}")
    if after is None:
        return 0, limit
    try:
        kind, _, number = base64.b64decode(after, validate=True).decode().partition(":")
        # isascii: only the digits offset_cursor writes (isdigit also takes '٣' and '²').
        if kind != "offset" or not (number.isascii() and number.isdigit()):
            raise ValueError(after)
        if len(number) > len(str(MAX_OFFSET)) or int(number) >= MAX_OFFSET:
            raise ValueError(after)
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidInput("after is not a cursor from this list") from None
    return int(number) + 1, limit


@strawberry.type(description="Where a page stands in its list.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    total_count: int

    @classmethod
    def of(cls, nodes: list[NodeT], offset: int, total: int) -> Connection[NodeT]:
        """A connection holding one page of nodes starting at an offset."""
        edges = [Edge(cursor=offset_cursor(offset + i), node=n) for i, n in enumerate(nodes)]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=offset + len(nodes) < total,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=total,
        )
