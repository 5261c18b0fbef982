"""The live streams a process serves (GraphQL subscriptions, the dashboard's event stream):
how many each caller has open, and their end when the server stops.

A server stopping waits for open connections before it runs the app's shutdown, so a stream
that only ended at shutdown would hold the stop up until the server's grace period cut it off.
The stop signal is the earliest word of it: `close_on_signals` chains a handler in front of
the server's own, which ends every stream at once (subscriptions send `complete`, event
streams say goodbye) and then lets the server carry on stopping as before.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, TypeVar

from graph_service.auth import Principal
from graph_service.errors import TooManySubscriptions

T = TypeVar("T")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def caller_key(principal: Principal) -> str:
    """Whom a stream is counted against: the verified principal, as the rate limits count."""
    who = principal.member_id or principal.college_id or principal.subject
    return f"{principal.role.value}:{who}"


class LiveStreams:
    """Open streams, capped per caller, and the event that ends them all."""

    def __init__(self, per_caller: int) -> None:
        self.per_caller = per_caller
        self.closing = asyncio.Event()
        self._open: Counter[str] = Counter()

    def open_for(self, principal: Principal) -> int:
        """How many streams this caller has open."""
        return self._open[caller_key(principal)]

    @property
    def total(self) -> int:
        """How many streams are open in all."""
        return sum(self._open.values())

    @contextmanager
    def slot(self, principal: Principal) -> Iterator[None]:
        """Hold one of the caller's streams for the block; TooManySubscriptions past the cap."""
        key = caller_key(principal)
        if self._open[key] >= self.per_caller:
            raise TooManySubscriptions(
                f"at most {self.per_caller} subscriptions may be open at once for one token"
            )
        self._open[key] += 1
        try:
            yield
        finally:
            self._open[key] -= 1
            if self._open[key] <= 0:
                del self._open[key]

    async def next(self, queue: asyncio.Queue[T], *, patience: float | None = None) -> T | None:
        """The queue's next item; None once the streams close (or after ``patience`` seconds)."""
        if self.closing.is_set():
            return None
        getting = asyncio.ensure_future(queue.get())
        closing = asyncio.ensure_future(self.closing.wait())
        try:
            done, _ = await asyncio.wait(
                {getting, closing}, timeout=patience, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            closing.cancel()
            if not getting.done():
                getting.cancel()
        if getting in done:
            return getting.result()
        return None

    def close(self) -> None:
        """End every stream (they return at their next wait)."""
        self.closing.set()

    def close_on_signals(self) -> None:
        """Close the streams as soon as the process is told to stop, then stop as before."""
        if threading.current_thread() is not threading.main_thread():
            return  # signals reach the main thread only (a server run in a thread by tests)
        loop = asyncio.get_running_loop()
        for sig in STOP_SIGNALS:
            previous = signal.getsignal(sig)
            if callable(previous):  # else no server handler to chain: leave the default be
                signal.signal(
                    sig, _chained(previous, lambda: loop.call_soon_threadsafe(self.close))
                )


Handler = Callable[[int, FrameType | None], Any]


def _chained(previous: Handler, first: Callable[[], object]) -> Handler:
    """A signal handler that calls ``first``, then the handler it replaces."""

    def handler(number: int, frame: FrameType | None) -> None:
        first()
        previous(number, frame)

    return handler
