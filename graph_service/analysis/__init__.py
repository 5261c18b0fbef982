"""Pure analyses over an in-memory projection of the supporter graph (DESIGN.md §7)."""

from graph_service.analysis.fragility import FragileCircle, fragile_circles
from graph_service.analysis.isolation import IsolatedMember, isolation_report
from graph_service.analysis.load import SupporterLoad, supporter_load
from graph_service.analysis.network import member_network
from graph_service.analysis.projection import (
    Projection,
    ProjectionRows,
    build_from_rows,
    build_projection,
)
from graph_service.analysis.suggestions import Suggestion, supporter_suggestions
from graph_service.analysis.summary import NetworkSummary, network_summary

__all__ = [
    "FragileCircle",
    "IsolatedMember",
    "NetworkSummary",
    "Projection",
    "ProjectionRows",
    "Suggestion",
    "SupporterLoad",
    "build_from_rows",
    "build_projection",
    "fragile_circles",
    "isolation_report",
    "member_network",
    "network_summary",
    "supporter_load",
    "supporter_suggestions",
]
