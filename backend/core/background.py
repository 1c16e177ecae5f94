"""Side effects that run after the response (events, alerts) without delaying it and without
being lost silently: each task is tracked, its failure logged, and shutdown waits for the rest."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger("algogate.background")


class BackgroundTasks:
    def __init__(self, limit: int = 10_000) -> None:
        self._tasks: set[asyncio.Task] = set()
        self.limit = limit
        self.failed = 0
        self.dropped = 0

    def spawn(self, coroutine: Coroutine[Any, Any, Any], name: str = "side effect") -> None:
        if len(self._tasks) >= self.limit:
            # Bounded: refuse loudly rather than grow without limit under a storm.
            self.dropped += 1
            coroutine.close()
            log.error("background queue full, dropped %s", name)
            return
        task = asyncio.get_running_loop().create_task(coroutine, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.failed += 1
            log.error("%s failed", task.get_name(), exc_info=task.exception())

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def drain(self, grace_seconds: float = 10.0) -> None:
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=grace_seconds)
