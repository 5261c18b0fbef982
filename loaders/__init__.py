"""Loaders: CSV imports, the synthetic demo network and exports (built on the services)."""
