"""All Cypher lives here: one module per aggregate, the connection, migrations."""

from graph_service.store.connection import Row, Store, Tx

__all__ = ["Row", "Store", "Tx"]
