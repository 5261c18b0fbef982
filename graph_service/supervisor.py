"""Keeps the embedded engine running: reaps it when it dies and starts it again with backoff.

The supervisor is a thread of its own: it waits on the engine process, so a death is known at
once (and reported, so requests fail fast instead of waiting on connections), and the engine
it starts again is tied to this thread's life (PR_SET_PDEATHSIG), which lasts as long as the
engine is supervised.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from graph_service.engine import EmbeddedEngine
from graph_service.errors import EngineStartError

log = logging.getLogger(__name__)

# Seconds before each attempt to start again; the last one repeats.
BACKOFF = (0.1, 1.0, 2.0, 5.0, 10.0, 30.0)
# An engine that ran this long before dying starts the backoff afresh.
STABLE_SECONDS = 60.0


class EngineSupervisor:
    """Watches one engine and restarts it whenever it exits without being stopped."""

    def __init__(self, engine: EmbeddedEngine, on_down: Callable[[str], None]) -> None:
        self.engine = engine
        self.on_down = on_down
        self.restarts = 0
        self._thread = threading.Thread(target=self._run, name="engine-supervisor", daemon=True)
        self._woken = threading.Event()

    def start(self) -> None:
        """Begin watching."""
        self._thread.start()

    def stop(self) -> None:
        """Stop watching (call after, or while, the engine is stopped)."""
        self._woken.set()

    def _run(self) -> None:
        failures = 0
        started = time.monotonic()
        while not self.engine.stopping:
            code = self.engine.wait()
            if self.engine.stopping:
                return
            if code is not None:
                reason = f"the embedded engine exited with code {code}"
                log.error("%s; starting it again", reason)
                self.on_down(reason)
                if time.monotonic() - started >= STABLE_SECONDS:
                    failures = 0
            if self._woken.wait(BACKOFF[min(failures, len(BACKOFF) - 1)]):
                return
            try:
                self.engine.restart()
            except (EngineStartError, OSError) as exc:
                failures += 1
                log.error("the embedded engine did not start again: %s", exc)
            else:
                self.restarts += 1
                started = time.monotonic()
