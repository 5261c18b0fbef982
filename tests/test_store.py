"""The store: constraints, error translation, the statement counter."""

from __future__ import annotations

import pytest

from graph_service.errors import ConstraintViolation, GraphUnavailable, QueryFailed
from graph_service.store import Store
from graph_service.store.admin import constraint_names, count_nodes
from graph_service.store.migrations import (
    apply_constraints,
    constraint_statements,
    constraints_text,
)

EXPECTED_CONSTRAINTS = {
    "person_id",
    "member_id",
    "organisation_id",
    "college_id",
    "course_id",
    "audit_event_id",
    "security_event_id",
    "wellness_tool_name",
    "member_ref",
    "signin_link_hash",
    "web_session_hash",
    "idempotency_key_id",
    "connect_code_hash",
    "change_id",
    "programme_session_id",
    "session_schedule_id",
    "session_kind_name",
}
# Audit events by target and by actor, web sessions and codes by member, changes by time,
# programme sessions by day.
EXPECTED_INDEXES = 6


async def test_constraints_apply_twice_without_error(store: Store) -> None:
    assert await apply_constraints(store) == len(EXPECTED_CONSTRAINTS) + EXPECTED_INDEXES
    assert await apply_constraints(store) == len(EXPECTED_CONSTRAINTS) + EXPECTED_INDEXES
    assert set(await constraint_names(store)) >= EXPECTED_CONSTRAINTS


# Not listed: a (:Person:Member) created with the id of an existing plain (:Person). The
# embedded engine keeps multi-label nodes in a subtype whose insert checks only its own
# index, so it is not refused there; the service never reuses ids (fresh uuid4s).
DUPLICATES = {
    "person": ("CREATE (:Person {id: 'p1'})", "CREATE (:Person {id: 'p1'})"),
    "member": ("CREATE (:Person:Member {id: 'p1'})", "CREATE (:Person:Member {id: 'p1'})"),
    "person-after-member": ("CREATE (:Person:Member {id: 'p1'})", "CREATE (:Person {id: 'p1'})"),
    "college": ("CREATE (:College {id: 'c1'})", "CREATE (:College {id: 'c1'})"),
    "course": ("CREATE (:Course {id: 'c1'})", "CREATE (:Course {id: 'c1'})"),
    "organisation": ("CREATE (:Organisation {id: 'o1'})", "CREATE (:Organisation {id: 'o1'})"),
}


@pytest.mark.parametrize(("first", "second"), DUPLICATES.values(), ids=DUPLICATES.keys())
async def test_duplicate_id_is_a_constraint_violation(
    store: Store, first: str, second: str
) -> None:
    await store.write(first)  # type: ignore[arg-type]
    with pytest.raises(ConstraintViolation):
        await store.write(second)  # type: ignore[arg-type]
    assert await count_nodes(store) == 1


async def test_syntax_error_is_query_failed(store: Store) -> None:
    with pytest.raises(QueryFailed):
        await store.read("MATCH (n RETURN n")


async def test_unreachable_server_is_graph_unavailable() -> None:
    store = Store.connect("bolt://127.0.0.1:9", "neo4j", "x", None)
    try:
        with pytest.raises(GraphUnavailable):
            await store.ping()
    finally:
        await store.close()


async def test_transaction_rolls_back_as_a_whole(store: Store) -> None:
    async def work(tx: object) -> None:
        await tx.run("CREATE (:Person {id: 'a'})")  # type: ignore[attr-defined]
        await tx.run("CREATE (:Person {id: 'a'})")  # type: ignore[attr-defined]

    with pytest.raises(ConstraintViolation):
        await store.transaction(work)  # type: ignore[arg-type]
    assert await count_nodes(store) == 0


async def test_statements_are_counted(store: Store) -> None:
    before = store.statements
    await store.read("RETURN 1 AS one")
    await store.write("CREATE (:Person {id: 'c'})")
    assert store.statements == before + 2


def test_constraint_file_parses_into_statements() -> None:
    statements = constraint_statements(constraints_text())
    assert len(statements) == len(EXPECTED_CONSTRAINTS) + EXPECTED_INDEXES
    assert all(s.startswith("CREATE ") and "IF NOT EXISTS" in s for s in statements)


def test_comments_and_blank_statements_dropped() -> None:
    text = "// intro\nRETURN 1; // trailing\n\n;RETURN 2;"
    assert constraint_statements(text) == ["RETURN 1", "RETURN 2"]
