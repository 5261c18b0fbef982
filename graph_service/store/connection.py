"""The one async driver of the process, and the only place that talks to it.

Reads run in READ-routed sessions, writes in managed transactions that the driver retries
on transient errors (deadlocks, leader changes). Driver errors become the service's own
exceptions here, and driver ``Record``s never leave: callers get plain dicts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, LiteralString, TypeVar

import neo4j
from neo4j import AsyncGraphDatabase, AsyncManagedTransaction, unit_of_work
from neo4j import exceptions as neo4j_errors

from graph_service.errors import (
    ConstraintViolation,
    GraphServiceError,
    GraphUnavailable,
    QueryFailed,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
Row = dict[str, Any]

PING = "RETURN 1 AS ok"


def _translate(exc: Exception) -> GraphServiceError:
    if isinstance(exc, neo4j_errors.ConstraintError):
        return ConstraintViolation(str(exc.message) if exc.message else "constraint violated")
    if isinstance(exc, neo4j_errors.AuthError):
        return GraphUnavailable("the graph server refused the configured credentials")
    if isinstance(exc, neo4j_errors.ServiceUnavailable | neo4j_errors.SessionExpired | OSError):
        return GraphUnavailable("the graph server cannot be reached")
    if isinstance(exc, neo4j_errors.Neo4jError):
        return QueryFailed(f"{exc.code}: {exc.message}")
    return QueryFailed(f"{type(exc).__name__}: {exc}")


_DRIVER_ERRORS = (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError)


class Tx:
    """A transaction handed to write work; counts what it runs."""

    def __init__(self, tx: AsyncManagedTransaction, store: Store) -> None:
        self._tx = tx
        self._store = store

    async def run(self, query: LiteralString, **params: Any) -> list[Row]:
        """Run one statement in this transaction and return its rows."""
        self._store.statements += 1
        result = await self._tx.run(query, params)
        return await result.data()

    async def value(self, query: LiteralString, **params: Any) -> Any:
        """Run one statement that returns one value, and return that value as it is.

        Cheaper than `run` for a large collected list: no conversion of nested values.
        """
        self._store.statements += 1
        result = await self._tx.run(query, params)
        record = await result.single(strict=True)
        return record[0]


class Store:
    """Access to the graph through one driver."""

    def __init__(
        self, driver: neo4j.AsyncDriver, database: str | None, *, query_timeout: float = 10.0
    ) -> None:
        self.driver = driver
        self.database = database
        self.query_timeout = query_timeout
        # Counts statements sent, so tests can prove a request runs a bounded number.
        self.statements = 0
        # Bumped by every write from this process, so caches of the graph know they are stale.
        self.version = 0
        # Transactions in flight, and whether new ones must wait (see `exclusive`).
        self._running = 0
        self._paused = False
        self._turn = asyncio.Condition()

    @classmethod
    def connect(
        cls,
        uri: str,
        user: str,
        password: str,
        database: str | None,
        *,
        query_timeout: float = 10.0,
    ) -> Store:
        """A store over a new driver (connections open lazily)."""
        driver = AsyncGraphDatabase.driver(
            uri,
            auth=(user, password),
            connection_timeout=5.0,
            connection_acquisition_timeout=10.0,
            max_transaction_retry_time=15.0,
            notifications_min_severity="OFF",
        )
        return cls(driver, database, query_timeout=query_timeout)

    async def close(self) -> None:
        """Close the driver and its connections."""
        await self.driver.close()

    async def read(self, query: LiteralString, **params: Any) -> list[Row]:
        """Run one read statement (READ routing) and return its rows."""

        async def work(tx: Tx) -> list[Row]:
            return await tx.run(query, **params)

        return await self._execute(work, neo4j.READ_ACCESS)

    async def write(self, query: LiteralString, **params: Any) -> list[Row]:
        """Run one write statement in a managed, retried transaction."""

        async def work(tx: Tx) -> list[Row]:
            return await tx.run(query, **params)

        return await self._execute(work, neo4j.WRITE_ACCESS)

    async def transaction(self, work: Callable[[Tx], Awaitable[T]]) -> T:
        """Run several statements in one managed write transaction (retried as a whole)."""
        return await self._execute(work, neo4j.WRITE_ACCESS)

    async def read_transaction(self, work: Callable[[Tx], Awaitable[T]]) -> T:
        """Run several reads in one READ-routed transaction (one consistent snapshot)."""
        return await self._execute(work, neo4j.READ_ACCESS)

    async def append(self, query: LiteralString, **params: Any) -> list[Row]:
        """A write that adds records no analysis reads (the audit trail): caches stay valid."""

        async def work(tx: Tx) -> list[Row]:
            return await tx.run(query, **params)

        return await self._execute(work, neo4j.WRITE_ACCESS, changes_graph=False)

    @asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        """Run the block with no transaction of this process in flight (new ones wait)."""
        # For engine maintenance that would break transactions running beside it.
        async with self._turn:
            await self._turn.wait_for(lambda: not self._paused)
            self._paused = True
            await self._turn.wait_for(lambda: self._running == 0)
        try:
            yield
        finally:
            async with self._turn:
                self._paused = False
                self._turn.notify_all()

    @asynccontextmanager
    async def _turn_taken(self) -> AsyncIterator[None]:
        async with self._turn:
            await self._turn.wait_for(lambda: not self._paused)
            self._running += 1
        try:
            yield
        finally:
            async with self._turn:
                self._running -= 1
                self._turn.notify_all()

    async def ping(self) -> None:
        """Raise GraphUnavailable unless the graph answers a trivial query (one try, no retry)."""
        try:
            async with self.driver.session(
                database=self.database, default_access_mode=neo4j.READ_ACCESS
            ) as session:
                result = await session.run(PING)
                await result.consume()
        except _DRIVER_ERRORS as exc:
            raise _translate(exc) from exc

    async def server_agent(self) -> str:
        """The server's own description, e.g. 'Neo4j/5.26.0'."""
        try:
            info = await self.driver.get_server_info()
        except _DRIVER_ERRORS as exc:
            raise _translate(exc) from exc
        return str(info.agent)

    async def _execute(
        self, work: Callable[[Tx], Awaitable[T]], access: str, *, changes_graph: bool = True
    ) -> T:
        @unit_of_work(timeout=self.query_timeout)
        async def managed(tx: AsyncManagedTransaction) -> T:
            return await work(Tx(tx, self))

        try:
            async with (
                self._turn_taken(),
                self.driver.session(database=self.database, default_access_mode=access) as session,
            ):
                if access == neo4j.READ_ACCESS:
                    return await session.execute_read(managed)
                try:
                    return await session.execute_write(managed)
                finally:
                    # Even a failed write may have changed something before failing.
                    if changes_graph:
                        self.version += 1
        except _DRIVER_ERRORS as exc:
            raise _translate(exc) from exc
