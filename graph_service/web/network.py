"""The network picture on the dashboard: the cached layout drawn as SVG, with its caption."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from graph_service.auth import Principal
from graph_service.services import Services
from graph_service.web.pictures import network_map


@dataclass(frozen=True)
class Picture:
    """An SVG picture and the sentence under it."""

    svg: Markup
    caption: str


async def network_picture(services: Services, principal: Principal) -> Picture:
    """The members and their supporters, flagged members marked (coordinators)."""
    found = await services.analyses.network_map(principal)
    if isinstance(found, int):
        return Picture(
            Markup(""),
            f"The network has {found} members: too many to draw legibly on a page. "
            "Export it with `graph-service export graphml` and open it in Gephi or Cytoscape.",
        )
    members = sum(node.kind == "member" for node in found.layout.nodes)
    caption = (
        f"{members} members and their supporters. Members whose circle lacks support (no "
        "supporters, fewer than two, only paid support, only invitations, or giving without "
        "receiving) are drawn in red inside a thick dark ring. Select a member to open their "
        "page."
    )
    return Picture(network_map(found.layout, found.names, found.flagged), caption)
