"""A document that passed is parsed and validated once; a refused one is never remembered."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from graph_service import graphql_validation
from graph_service.graphql_validation import ValidatedDocuments
from tests.conftest import GraphQLClient


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """One entry per validation run."""
    runs: list[str] = []
    real = graphql_validation.validate_bounded

    def counting(*args: Any, **kwargs: Any) -> Any:
        runs.append("run")
        return real(*args, **kwargs)

    monkeypatch.setattr(graphql_validation, "validate_bounded", counting)
    return runs


async def test_same_document_validated_once(
    as_coordinator: GraphQLClient, validations: list[str]
) -> None:
    query = "{ me { role } }"
    for _ in range(3):
        assert await as_coordinator(query) == {"data": {"me": {"role": "COORDINATOR"}}}
    assert len(validations) == 1


async def test_refused_document_is_refused_every_time(
    as_coordinator: GraphQLClient, validations: list[str]
) -> None:
    for _ in range(2):
        body = await as_coordinator("{ me { nope } }")
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"  # type: ignore[index]
    assert len(validations) == 2


async def test_variables_still_checked_for_a_known_document(
    as_coordinator: GraphQLClient, http: httpx.AsyncClient
) -> None:
    query = "query($id: ID!) { member(id: $id) { displayName } }"
    first = await as_coordinator(query, id="TWVtYmVyOm5vbmU=")
    assert first == {"data": {"member": None}}
    again = await as_coordinator(query)  # the same text, a required variable missing
    assert again["data"] is None
    assert "errors" in again


def test_cache_is_bounded() -> None:
    documents = ValidatedDocuments(size=2)
    for text in ("{ a }", "{ b }", "{ c }"):
        documents.add(text, object())  # type: ignore[arg-type]
    assert documents.get("{ a }") is None
    assert documents.get("{ c }") is not None
