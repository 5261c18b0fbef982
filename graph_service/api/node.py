"""The Node interface: every object with a global id implements it."""

from __future__ import annotations

import strawberry


@strawberry.interface(description="An object with a global id: fetch it again with node(id).")
class Node:
    id: strawberry.ID
