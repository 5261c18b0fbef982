"""Work on a projection in threads, and patches that wait for it to finish.

Patches run on the event loop between awaits, so code on the loop never sees a half-patched
projection; work handed to a thread could, so a patch waits until no such work runs, and new
work waits while a patch is waiting or running.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from graph_service.analysis import Projection

T = TypeVar("T")


class PatchGuard:
    """Counts the threads working on a projection; lets a patch in once there are none."""

    def __init__(self) -> None:
        self._threads = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._open = asyncio.Event()  # cleared while a patch waits or runs
        self._open.set()

    async def run(self, work: Callable[[Projection], T], g: Projection) -> T:
        """``work(g)`` in a thread, with no patch while it runs."""
        await self._open.wait()
        # No await from here to the count: a patch cannot slip in between.
        self._threads += 1
        self._idle.clear()
        try:
            return await asyncio.to_thread(work, g)
        finally:
            self._threads -= 1
            if not self._threads:
                self._idle.set()

    @asynccontextmanager
    async def patching(self) -> AsyncIterator[None]:
        """Hold new work back and wait for running work; the block must not await."""
        self._open.clear()
        try:
            await self._idle.wait()
            yield
        finally:
            self._open.set()
