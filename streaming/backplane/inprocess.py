"""The single-process backplane: demand goes straight to this hub's pools."""

from __future__ import annotations

from typing import Any

from brokers.contract import Instrument, Tick
from streaming.backplane import Backplane, BackplaneHost
from streaming.index import Demand, UpstreamKey


class InProcessBackplane(Backplane):
    name = "inprocess"

    def __init__(self) -> None:
        self._host: BackplaneHost | None = None

    async def start(self, host: BackplaneHost) -> None:
        self._host = host

    async def stop(self) -> None:
        self._host = None

    async def set_demand(self, key: UpstreamKey, instrument: Instrument, demand: Demand | None) -> None:
        if demand is None:
            await self._host.disown_upstream(key)
        else:
            await self._host.own_upstream(key, instrument, demand)

    def publish_tick(self, key: UpstreamKey, tick: Tick) -> None:
        self._host.deliver_tick(key, tick)

    async def publish_user_event(self, user_id: str, event: str, payload: Any) -> None:
        self._host.deliver_user_event(user_id, event, payload)
