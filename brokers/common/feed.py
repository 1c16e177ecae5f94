"""The callback half of the `StreamingAdapter` contract, the same for every broker's feed."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable

from brokers.contract.protocols import TickHandler
from brokers.contract.types import Tick

log = logging.getLogger("algogate.brokers.feed")


class FeedCallbacks:
    """Tick handlers and disconnect callbacks, registered by the hub's pool. Every tick goes to
    every handler in order; one failing consumer is logged and never takes the feed down for the
    others, nor does a failing disconnect callback stop the rest from being told."""

    def __init__(self, label: str) -> None:
        self._feed_label = label  # names the feed in log lines ("zerodha feed", "shoonya feed")
        self._handlers: list[TickHandler] = []
        self._disconnect: list[Callable[[str], None]] = []

    def on_tick(self, handler: TickHandler) -> None:
        self._handlers.append(handler)

    def on_disconnect(self, callback: Callable[[str], None]) -> None:
        self._disconnect.append(callback)

    async def _emit_tick(self, tick: Tick) -> None:
        for handler in self._handlers:
            try:
                result = handler(tick)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("%s: a tick handler failed", self._feed_label)

    def _emit_disconnect(self, reason: str) -> None:
        for callback in list(self._disconnect):
            try:
                callback(reason)
            except Exception:
                log.exception("%s: a disconnect callback failed", self._feed_label)
