"""Whether the graph can be reached: a circuit that makes requests fail fast while it cannot.

The store opens the circuit when a connection fails (or the engine supervisor reports the
engine dead); while it is open, requests get GraphUnavailable at once instead of waiting on
connection attempts. One request a second is let through as a probe, and `HealthMonitor`
pings in the background, so the circuit closes by itself when the graph answers again (and
opens it when the graph stops answering while nobody asks).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass

from graph_service.errors import GraphServiceError, GraphUnavailable

log = logging.getLogger(__name__)

PROBE_INTERVAL = 1.0
PROBE_SECONDS = 0.5


@dataclass
class GraphHealth:
    """The circuit: open (unavailable) from the first failure until the graph answers."""

    available: bool = True
    reason: str = ""
    down_since: float | None = None
    _last_probe: float = 0.0

    def check(self) -> bool:
        """Raise GraphUnavailable while the circuit is open, except for one probe a second.

        True for that probe: the caller gives it a short deadline, so that a graph which
        accepts connections before it can answer (an engine starting up) cannot hold it.
        """
        if self.available:
            return False
        now = time.monotonic()
        if now - self._last_probe >= PROBE_INTERVAL:
            self._last_probe = now
            return True
        raise GraphUnavailable(self.reason)

    def down_for(self) -> float:
        """Seconds since the graph became unreachable (0 while it is reachable)."""
        return 0.0 if self.down_since is None else time.monotonic() - self.down_since

    def mark_down(self, reason: str) -> None:
        """Open the circuit: requests fail fast from now on."""
        # Work already waiting on the graph is not cancelled: a dead engine resets its
        # connections, so that work fails at once, and anything else ends at its deadline.
        if not self.available:
            return
        self.available = False
        self.reason = reason or "the graph server cannot be reached"
        self.down_since = self._last_probe = time.monotonic()
        log.warning("graph unavailable: %s", self.reason)

    def mark_up(self) -> None:
        """Close the circuit: the graph answered."""
        if self.available:
            return
        log.warning("graph available again after %.1f s", self.down_for())
        self.available = True
        self.reason = ""
        self.down_since = None


class HealthMonitor:
    """Pings the graph in the background: often while it is down, now and then while up."""

    def __init__(
        self,
        health: GraphHealth,
        ping: Callable[[], Awaitable[None]],
        *,
        down_interval: float = 0.25,
        up_interval: float = 5.0,
        timeout: float = 2.0,
    ) -> None:
        self.health = health
        self.ping = ping
        self.down_interval = down_interval
        self.up_interval = up_interval
        self.timeout = timeout
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin pinging."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name="graph-health")

    async def stop(self) -> None:
        """Stop pinging."""
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        slow = 0
        while True:
            await asyncio.sleep(self.up_interval if self.health.available else self.down_interval)
            try:
                await asyncio.wait_for(self.ping(), self.timeout)
            except TimeoutError:
                # A busy graph is not a dead one: only a second slow answer in a row counts.
                slow += 1
                if slow >= 2:
                    self.health.mark_down(f"the graph did not answer within {self.timeout:.0f} s")
            except GraphServiceError as exc:
                slow = 0
                self.health.mark_down(str(exc))
            else:
                slow = 0
                self.health.mark_up()
