"""The one async driver of the process, and the only place that talks to it.

Every unit of work runs in one explicit transaction that is retried here on transient errors
(deadlocks, concurrent modification) until the request's deadline: one deadline covers every
retry. A graph that cannot be reached is not retried: the store marks it unavailable (see
`store.health`), so requests fail fast with GraphUnavailable until it answers again. A request
can bind one write transaction (`atomically`) that every statement it runs then joins, so its
writes, its audit events and its idempotency record commit together or not at all. Driver
errors become the service's own exceptions (`store.tx`), and driver ``Record``s never leave:
callers get plain dicts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from typing import Any, LiteralString, TypeVar

import neo4j
from neo4j import AsyncGraphDatabase

from graph_service.errors import GraphTimeout
from graph_service.events import ChangeHub
from graph_service.store.health import PROBE_SECONDS, GraphHealth
from graph_service.store.tx import (
    DRIVER_ERRORS,
    AfterCommit,
    Row,
    Tx,
    retryable,
    translate,
    unreachable,
)

__all__ = ["AfterCommit", "Row", "Store", "Tx", "deadline"]

log = logging.getLogger(__name__)

T = TypeVar("T")

PING = "RETURN 1 AS ok"
_FIRST_BACKOFF = 0.02
_MAX_BACKOFF = 0.5


# The monotonic time by which the current request must be answered (see `deadline`).
_deadline: ContextVar[float | None] = ContextVar("graph_deadline", default=None)
# The write transaction the current request's statements join (see `Store.atomically`).
_bound: ContextVar[Tx | None] = ContextVar("bound_transaction", default=None)


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Give the graph work of the block one deadline, retries included."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


class Store:
    """Access to the graph through one driver."""

    def __init__(
        self, driver: neo4j.AsyncDriver, database: str | None, *, query_timeout: float = 10.0
    ) -> None:
        self.driver = driver
        self.database = database
        self.query_timeout = query_timeout
        self.health = GraphHealth()
        # Counts statements sent, so tests can prove a request runs a bounded number.
        self.statements = 0
        # Bumped by every write from this process outside `atomically` that did not record a
        # change (events.py), so caches of the graph know they must reload; recorded changes
        # reach them through `changes` instead, and are applied in place.
        self.version = 0
        self.changes = ChangeHub()
        # Transactions in flight, and whether new ones must wait (see `exclusive`).
        # Events rather than a lock: taking a turn costs nothing while no one is exclusive.
        self._running = 0
        self._open = asyncio.Event()
        self._open.set()
        self._idle = asyncio.Event()
        self._idle.set()

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
            # Loopback or a nearby server: a connection that takes longer is a graph that is
            # down, and the request's deadline bounds the rest.
            connection_timeout=min(2.0, query_timeout),
            connection_acquisition_timeout=query_timeout,
            notifications_min_severity="OFF",
        )
        return cls(driver, database, query_timeout=query_timeout)

    async def close(self) -> None:
        """Close the driver and its connections."""
        await self.driver.close()

    async def read(self, query: LiteralString, **params: Any) -> list[Row]:
        """Run one read statement (READ routing) and return its rows."""
        bound = _bound.get()
        if bound is not None:
            return await bound.run(query, **params)
        # Auto-commit: one round trip (RUN and PULL together), where an explicit transaction
        # adds a COMMIT. A single read needs nothing more to be consistent.
        statement = neo4j.Query(query, timeout=self.query_timeout)
        self.statements += 1
        return await self._guarded(lambda: self._autocommit(statement, params), neo4j.READ_ACCESS)

    async def poll(self, query: LiteralString, **params: Any) -> list[Row]:
        """`read` for a background loop (the change log's): not counted in `statements`."""
        statement = neo4j.Query(query, timeout=self.query_timeout)
        return await self._guarded(lambda: self._autocommit(statement, params), neo4j.READ_ACCESS)

    async def write(self, query: LiteralString, **params: Any) -> list[Row]:
        """Run one write statement in a retried transaction."""

        async def work(tx: Tx) -> list[Row]:
            return await tx.run(query, **params)

        return await self._execute(work, neo4j.WRITE_ACCESS)

    async def transaction(
        self, work: Callable[[Tx], Awaitable[T]], *, changes_graph: bool = True
    ) -> T:
        """Run several statements in one write transaction (retried as a whole).

        ``changes_graph=False`` for writes to records no analysis reads (sign-in links).
        """
        return await self._execute(work, neo4j.WRITE_ACCESS, changes_graph=changes_graph)

    async def read_transaction(self, work: Callable[[Tx], Awaitable[T]]) -> T:
        """Run several reads in one READ-routed transaction (one consistent snapshot)."""
        return await self._execute(work, neo4j.READ_ACCESS)

    async def append(self, query: LiteralString, **params: Any) -> list[Row]:
        """A write that adds records no analysis reads (the audit trail): caches stay valid."""

        async def work(tx: Tx) -> list[Row]:
            return await tx.run(query, **params)

        return await self._execute(work, neo4j.WRITE_ACCESS, changes_graph=False)

    async def announce(self, query: LiteralString, **params: Any) -> list[Row]:
        """Append to the change log: the unit it joins has said what it changed."""
        bound = _bound.get()
        if bound is not None:
            bound.announced = True
            return await bound.run(query, **params)

        async def work(tx: Tx) -> list[Row]:
            tx.announced = True
            return await tx.run(query, **params)

        return await self._execute(work, neo4j.WRITE_ACCESS, changes_graph=False)

    async def atomically(self, work: Callable[[Tx], Awaitable[T]]) -> T:
        """Run `work` with every statement it causes in one write transaction.

        Reads, writes and appends made anywhere below (services, audit) join the transaction,
        so all of it commits or none; the whole of `work` is run again on a transient error.
        Callbacks given to `after_commit` run once it has committed.
        """
        if _bound.get() is not None:
            return await work(_require_bound())

        async def unit(tx: Tx) -> tuple[T, list[AfterCommit]]:
            shared = Tx(tx._tx, self, shared=True)
            token = _bound.set(shared)
            try:
                value = await work(shared)
            except Exception:
                if shared.failure is not None:
                    raise shared.failure from None  # retried, or translated, below
                raise
            finally:
                _bound.reset(token)
            if shared.failure is not None:
                # A statement failed: the transaction cannot commit. The original error
                # decides whether the whole unit is tried again.
                raise shared.failure
            return value, shared.after_commit

        # Every write use-case records a change (events.py) that reaches the caches once
        # published; one that records none changed nothing they read (a refusal may still
        # stamp a member node to take its lock). So a unit never bumps `version` itself.
        value, callbacks = await self._execute(unit, neo4j.WRITE_ACCESS, changes_graph=False)
        for callback in callbacks:
            await callback()
        return value

    @property
    def in_transaction(self) -> bool:
        """True inside `atomically`: statements join the bound transaction."""
        return _bound.get() is not None

    async def after_commit(self, callback: AfterCommit) -> None:
        """Run `callback` once the current unit commits (at once outside `atomically`)."""
        bound = _bound.get()
        if bound is None:
            await callback()
        else:
            bound.after_commit.append(callback)

    @asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        """Run the block with no transaction of this process in flight (new ones wait)."""
        # For engine maintenance that would break transactions running beside it.
        while not self._open.is_set():
            await self._open.wait()
        self._open.clear()
        try:
            await self._idle.wait()
            yield
        finally:
            self._open.set()

    async def ping(self) -> None:
        """Raise GraphUnavailable unless the graph answers a trivial query (one try, no retry)."""
        try:
            async with self.driver.session(
                database=self.database, default_access_mode=neo4j.READ_ACCESS
            ) as session:
                result = await session.run(PING)
                await result.consume()
        except DRIVER_ERRORS as exc:
            raise translate(exc) from exc

    async def server_agent(self) -> str:
        """The server's own description, e.g. 'Neo4j/5.26.0'."""
        try:
            info = await self.driver.get_server_info()
        except DRIVER_ERRORS as exc:
            raise translate(exc) from exc
        return str(info.agent)

    def _time_left(self) -> float:
        until = _deadline.get()
        if until is None:
            return self.query_timeout
        return min(until - time.monotonic(), self.query_timeout)

    async def _execute(
        self, work: Callable[[Tx], Awaitable[T]], access: str, *, changes_graph: bool = True
    ) -> T:
        bound = _bound.get()
        if bound is not None:
            return await work(bound)
        return await self._guarded(lambda: self._attempt(work, access, changes_graph), access)

    async def _guarded(self, attempt: Callable[[], Awaitable[T]], access: str) -> T:
        probe = self.health.check()
        left = min(self._time_left(), PROBE_SECONDS) if probe else self._time_left()
        if left <= 0:
            raise GraphTimeout("the graph did not answer in time")
        while not self._open.is_set():
            await self._open.wait()
        self._running += 1
        self._idle.clear()
        try:
            async with asyncio.timeout(left):
                return await self._attempts(attempt, until=left)
        except TimeoutError:
            raise GraphTimeout("the graph did not answer in time") from None
        finally:
            self._running -= 1
            if not self._running:
                self._idle.set()

    async def _attempts(self, attempt: Callable[[], Awaitable[T]], until: float) -> T:
        started = time.monotonic()
        backoff = _FIRST_BACKOFF
        while True:
            try:
                value = await attempt()
            except DRIVER_ERRORS as exc:
                if unreachable(exc):
                    self.health.mark_down(str(translate(exc)))
                    raise translate(exc) from exc
                pause = backoff * (0.5 + random.random())  # noqa: S311 - jitter, not secrets
                if not retryable(exc) or time.monotonic() - started + pause >= until:
                    raise translate(exc) from exc
                log.debug("transient graph error, retrying", extra={"error": str(exc)})
                await asyncio.sleep(pause)
                backoff = min(backoff * 2, _MAX_BACKOFF)
            else:
                self.health.mark_up()  # this may have been the probe of an open circuit
                return value

    async def _autocommit(self, statement: neo4j.Query, params: dict[str, Any]) -> list[Row]:
        async with self.driver.session(
            database=self.database, default_access_mode=neo4j.READ_ACCESS
        ) as session:
            result = await session.run(statement, params)
            return await result.data()

    async def _attempt(
        self, work: Callable[[Tx], Awaitable[T]], access: str, changes_graph: bool = True
    ) -> T:
        async with self.driver.session(database=self.database, default_access_mode=access) as s:
            tx = await s.begin_transaction(timeout=self.query_timeout)
            unit = Tx(tx, self)
            unit.touched = changes_graph and access == neo4j.WRITE_ACCESS
            try:
                value = await work(unit)
                try:
                    await tx.commit()
                except BaseException:
                    # Whether a failed commit took effect is unknown: caches assume it did.
                    self.version += unit.touched
                    raise
                # A rolled-back transaction changed nothing; a recorded change reaches the
                # caches through `changes` once published.
                self.version += unit.touched and not unit.announced
                return value
            finally:
                if not tx.closed():
                    # Rolls back; on a dead connection there is nothing left to roll back.
                    with contextlib.suppress(*DRIVER_ERRORS):
                        await tx.close()


def _require_bound() -> Tx:
    bound = _bound.get()
    assert bound is not None
    return bound
