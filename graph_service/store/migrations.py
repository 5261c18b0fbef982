"""Schema migrations: constraints and indexes from ``schema/constraints.cypher``, and types."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from graph_service.store.connection import Store

# The embedded engine keeps nodes with two labels in a type of their own ("Member~Person"),
# made when the first such node is written. Transactions that make it at the same moment
# race, and the losers fail (TypeAlreadyExistsException, reported as a SemanticError): the
# first members registered at once on a new graph got a 500. Making the type at start-up,
# before any request, closes that window. On Neo4j this creates and deletes one node.
# (:Person:Member) is the only label pair the store writes; single labels and relationship
# types are made safely.
MAKE_LABEL_TYPES = """
CREATE (n:Person:Member {id: $probe})
DELETE n
"""
_PROBE_ID = "schema-probe"

_REPO_FILE = Path(__file__).resolve().parents[2] / "schema" / "constraints.cypher"


def constraints_text() -> str:
    """The constraints file: the repository's copy, else the one packaged in the wheel."""
    if _REPO_FILE.exists():
        return _REPO_FILE.read_text(encoding="utf-8")
    return files("graph_service").joinpath("_schema/constraints.cypher").read_text("utf-8")


def constraint_statements(text: str) -> list[str]:
    """The statements of a Cypher file: ';'-separated, '//' comments dropped."""
    lines = [line.split("//", 1)[0] for line in text.splitlines()]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]


async def apply_constraints(store: Store) -> int:
    """Apply every constraint idempotently, then make the label types; return the constraints."""
    statements = constraint_statements(constraints_text())
    for statement in statements:
        # The file is part of the code base, never user input: a fixed, reviewed statement.
        await store.write(statement)
    await store.write(MAKE_LABEL_TYPES, probe=_PROBE_ID)
    return len(statements)
