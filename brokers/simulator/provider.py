"""The simulator's InstrumentProvider: its "master-contract download" is the generated universe."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from functools import lru_cache

from brokers.common.calendar import ExchangeCalendar
from brokers.contract.table import InstrumentTable
from brokers.contract.types import Instrument
from brokers.simulator.universe import build_universe


@lru_cache(maxsize=2)
def cached_universe(seed: int, today: date) -> InstrumentTable:
    """Generation is deterministic, so one process builds each (seed, day) universe once. Treat the
    table as read-only: it is shared."""
    return build_universe(seed, today)


class SimulatorInstrumentProvider:
    def __init__(self, seed: int, today: Callable[[], date], calendar: ExchangeCalendar | None = None) -> None:
        self.seed = seed
        self.today = today
        self.calendar = calendar

    def instruments(self) -> list[Instrument]:
        if self.calendar is None:
            return list(cached_universe(self.seed, self.today()))
        return list(build_universe(self.seed, self.today(), self.calendar))

    async def download(self, progress: Callable[[str, float], None] | None = None) -> list[Instrument]:
        if progress:
            progress("Generating the simulator universe", 0.1)
        instruments = await asyncio.to_thread(self.instruments)
        if progress:
            progress(f"Generated {len(instruments)} instruments", 1.0)
        return instruments
