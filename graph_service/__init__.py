"""Supporter-graph service for a peer-governed WRAP recovery network."""

__version__ = "0.1.0"
