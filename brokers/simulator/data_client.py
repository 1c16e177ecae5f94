"""The simulator's DataClient: quotes, multiquotes, depth and history from the synthetic market."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from brokers.contract.capabilities import Capabilities
from brokers.contract.errors import BrokerError
from brokers.contract.types import Candle, Depth, Instrument, Quote
from brokers.simulator.history import DAY_INTERVALS, MINUTE_INTERVALS, SUPPORTED_INTERVALS, candles
from brokers.simulator.market import SimulatedMarket

BROKER = "simulator"
# Per-request range caps (days): generation is on demand, so the caps bound the work per call.
HISTORY_MAX_DAYS = {**{name: 60 for name in MINUTE_INTERVALS}, "1m": 30, "D": 3660, "W": 3660, "M": 3660}

CAPABILITIES = Capabilities(
    depth_levels=(5, 20),
    intervals=SUPPORTED_INTERVALS,
    history_max_days=HISTORY_MAX_DAYS,
    max_symbols_per_connection=5000,
    max_symbols_per_multiquote=500,
)


class SimulatorDataClient:
    """Stateless over the shared market: one instance can serve every user."""

    def __init__(self, market: SimulatedMarket, capabilities: Capabilities = CAPABILITIES) -> None:
        self.market = market
        self.capabilities = capabilities

    async def quote(self, instrument: Instrument) -> Quote:
        return self.market.quote(instrument)

    async def multiquote(self, instruments: Sequence[Instrument]) -> dict[str, Quote]:
        now = self.market.clock.time()  # one instant for the whole batch
        return {f"{i.exchange.value}:{i.symbol}": self.market.quote(i, now) for i in instruments}

    async def depth(self, instrument: Instrument, levels: int = 5) -> Depth:
        if levels not in self.capabilities.depth_levels:
            raise BrokerError(BROKER, f"depth of {levels} levels is not supported (use 5 or 20)", 400)
        return self.market.depth(instrument, levels)

    async def history(self, instrument: Instrument, interval: str, start: date, end: date) -> list[Candle]:
        if interval not in SUPPORTED_INTERVALS:
            raise BrokerError(BROKER, f"Interval '{interval}' is not supported. Supported intervals: "
                              f"{', '.join(SUPPORTED_INTERVALS)}", 400)
        if end < start:
            raise BrokerError(BROKER, "end_date must not be before start_date", 400)
        limit = HISTORY_MAX_DAYS[interval]
        if (end - start).days + 1 > limit:
            raise BrokerError(BROKER, f"Date range too large for interval {interval}: at most {limit} days "
                              "per request", 400)
        return candles(self.market, instrument, interval, start, end)


def interval_groups(intervals: Sequence[str]) -> dict[str, list[str]]:
    """`/intervals` shape: seconds/minutes/hours/days/weeks/months, numerically sorted."""
    groups: dict[str, list[str]] = {"seconds": [], "minutes": [], "hours": [], "days": [], "weeks": [], "months": []}
    suffix = {"s": "seconds", "m": "minutes", "h": "hours"}
    for name in intervals:
        if name in DAY_INTERVALS or name in ("Q", "Y"):
            groups[{"D": "days", "W": "weeks", "M": "months"}.get(name, "months")].append(name)
        elif name[-1] in suffix and name[:-1].isdigit():
            groups[suffix[name[-1]]].append(name)
    for key in ("seconds", "minutes", "hours"):
        groups[key].sort(key=lambda text: int(text[:-1]))
    return groups
