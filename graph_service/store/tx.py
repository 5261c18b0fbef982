"""A transaction as the store's callers see it, and how driver errors are read.

Driver errors become the service's own exceptions here (`translate`); `unreachable` and
`retryable` tell the store what to do with them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, LiteralString

import neo4j
from neo4j import exceptions as neo4j_errors

from graph_service.errors import (
    ConstraintViolation,
    GraphServiceError,
    GraphUnavailable,
    QueryFailed,
)

if TYPE_CHECKING:
    from graph_service.store.connection import Store

Row = dict[str, Any]
AfterCommit = Callable[[], Awaitable[object]]


def translate(exc: BaseException) -> GraphServiceError:
    if isinstance(exc, neo4j_errors.ConstraintError):
        return ConstraintViolation(str(exc.message) if exc.message else "constraint violated")
    if isinstance(exc, neo4j_errors.AuthError):
        return GraphUnavailable("the graph server refused the configured credentials")
    if unreachable(exc):
        return GraphUnavailable("the graph server cannot be reached")
    if isinstance(exc, neo4j_errors.Neo4jError):
        return QueryFailed(f"{exc.code}: {exc.message}")
    return QueryFailed(f"{type(exc).__name__}: {exc}")


def unreachable(exc: BaseException) -> bool:
    # Connection failures, as opposed to a statement the server refused: retrying them only
    # makes callers wait while the graph is down, so they open the circuit instead.
    return isinstance(
        exc,
        neo4j_errors.ServiceUnavailable
        | neo4j_errors.SessionExpired
        | neo4j_errors.IncompleteCommit
        | OSError,
    )


def retryable(exc: BaseException) -> bool:
    return isinstance(exc, neo4j_errors.Neo4jError) and exc.is_retryable()


DRIVER_ERRORS = (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError)


class Tx:
    """A transaction handed to work; counts what it runs."""

    def __init__(self, tx: neo4j.AsyncTransaction, store: Store, *, shared: bool = False) -> None:
        self._tx = tx
        self._store = store
        # A request's bound transaction is used by concurrent resolvers: one statement at a
        # time, and the first driver error is kept so the whole unit is retried or refused.
        self._lock = asyncio.Lock() if shared else None
        self.failure: BaseException | None = None
        self.after_commit: list[AfterCommit] = []
        # Whether this transaction may have changed what the analyses read, and whether it
        # recorded the change (store.changes) that tells them what.
        self.touched = False
        self.announced = False

    async def run(self, query: LiteralString, **params: Any) -> list[Row]:
        """Run one statement in this transaction and return its rows."""
        result = await self._run(query, params, single=False)
        assert isinstance(result, list)
        return result

    async def value(self, query: LiteralString, **params: Any) -> Any:
        """Run one statement that returns one value, and return that value as it is.

        Cheaper than `run` for a large collected list: no conversion of nested values.
        """
        return await self._run(query, params, single=True)

    async def _run(self, query: LiteralString, params: dict[str, Any], *, single: bool) -> Any:
        self._store.statements += 1
        if self._lock is None:
            return await self._fetch(query, params, single)
        async with self._lock:
            if self.failure is not None:
                raise translate(self.failure)
            try:
                return await self._fetch(query, params, single)
            except DRIVER_ERRORS as exc:
                self.failure = exc
                raise translate(exc) from exc

    async def _fetch(self, query: LiteralString, params: dict[str, Any], single: bool) -> Any:
        result = await self._tx.run(query, params)
        if single:
            record = await result.single(strict=True)
            return record[0]
        return await result.data()
