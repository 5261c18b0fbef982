"""Schema migrations: constraints and indexes from ``schema/constraints.cypher``."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from graph_service.store.connection import Store

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
    """Apply every constraint idempotently (IF NOT EXISTS); return how many statements ran."""
    statements = constraint_statements(constraints_text())
    for statement in statements:
        # The file is part of the code base, never user input: a fixed, reviewed statement.
        await store.write(statement)
    return len(statements)
