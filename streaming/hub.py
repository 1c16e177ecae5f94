"""The in-process streaming hub. Lifecycle shell; subscriptions and fan-out arrive with the streaming issue."""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger("algogate.streaming")


class StreamingHub:
    def __init__(self) -> None:
        self._running = asyncio.Event()

    @property
    def running(self) -> bool:
        return self._running.is_set()

    async def start(self) -> None:
        self._running.set()
        log.debug("streaming hub started")

    async def stop(self) -> None:
        self._running.clear()
        log.debug("streaming hub stopped")

    def health(self) -> dict[str, object]:
        return {"status": "ok" if self.running else "error"}
