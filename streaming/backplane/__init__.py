"""How ticks, user events and upstream ownership travel between hub instances.

In-process (default): one hub owns every upstream subscription itself. Redis (`REDIS_URL` set):
any number of workers/hosts each serve their own clients, each upstream symbol is subscribed by
exactly one of them (a lease key per symbol), and ticks and user events go through pub/sub.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Protocol

from brokers.contract import Instrument, Tick
from streaming.index import Demand, UpstreamKey


class BackplaneHost(Protocol):
    """What a backplane may ask of its hub."""

    async def own_upstream(self, key: UpstreamKey, instrument: Instrument, demand: Demand) -> None:
        """Subscribe at the broker (this instance owns the key); raises UpstreamError."""

    async def disown_upstream(self, key: UpstreamKey) -> None: ...

    def deliver_tick(self, key: UpstreamKey, tick: Tick) -> None:
        """Fan a tick out to this instance's clients and in-app subscribers."""

    def deliver_user_event(self, user_id: str, event: str, payload: Any) -> None: ...


class Backplane(ABC):
    name = "abstract"

    @abstractmethod
    async def start(self, host: BackplaneHost) -> None: ...

    @abstractmethod
    async def stop(self) -> None: ...

    @abstractmethod
    async def set_demand(self, key: UpstreamKey, instrument: Instrument, demand: Demand | None) -> None:
        """This instance's highest wanted mode (and book size) for `key` changed (None: nobody
        here wants it)."""

    @abstractmethod
    def publish_tick(self, key: UpstreamKey, tick: Tick) -> None:
        """A tick arrived from an upstream this instance owns (never blocks)."""

    @abstractmethod
    async def publish_user_event(self, user_id: str, event: str, payload: Any) -> None: ...

    def health(self) -> dict[str, object]:
        return {"backplane": self.name}
