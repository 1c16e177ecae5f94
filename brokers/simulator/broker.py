"""One simulator per process: the market plus the contract objects built on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from brokers.common.calendar import ExchangeCalendar, default_calendar
from brokers.contract.capabilities import Capabilities
from brokers.simulator.clock import SimClock
from brokers.simulator.data_client import SimulatorDataClient
from brokers.simulator.market import SessionMode, SimulatedMarket
from brokers.simulator.process import EPOCH, ist_day_and_second
from brokers.simulator.provider import SimulatorInstrumentProvider
from brokers.simulator.streaming import SimulatorStreamingAdapter

DEFAULT_SEED = 7


@dataclass
class SimulatorBroker:
    market: SimulatedMarket
    data_client: SimulatorDataClient = field(init=False)
    provider: SimulatorInstrumentProvider = field(init=False)

    def __post_init__(self) -> None:
        self.data_client = SimulatorDataClient(self.market)
        self.provider = SimulatorInstrumentProvider(self.market.seed, self.today)

    @classmethod
    def create(cls, seed: int = DEFAULT_SEED, clock: SimClock | None = None,
               session_mode: SessionMode | str = SessionMode.ALWAYS_OPEN,
               calendar: ExchangeCalendar | None = None) -> SimulatorBroker:
        return cls(SimulatedMarket(seed, clock or SimClock.real(), calendar or default_calendar(), session_mode))

    @property
    def clock(self) -> SimClock:
        return self.market.clock

    def today(self) -> date:
        """The IST date of the simulated now (the universe is generated for it)."""
        day_number, _ = ist_day_and_second(self.market.clock.time())
        return EPOCH + timedelta(days=day_number)

    def streaming_adapter(self, ticks_per_second: float = 1.0, depth_levels: int = 5) -> SimulatorStreamingAdapter:
        """A new upstream connection (the hub's pool may open several)."""
        return SimulatorStreamingAdapter(self.market, ticks_per_second, depth_levels)


class SimulatorFeeds:
    """The streaming hub's UpstreamProvider (`streaming.auth`) over the simulator: every feed
    account gets simulator adapters. Wire with `app.state.market_feeds = SimulatorFeeds(broker)`."""

    def __init__(self, broker: SimulatorBroker, ticks_per_second: float = 1.0, depth_levels: int = 5) -> None:
        self.broker = broker
        self.ticks_per_second = ticks_per_second
        self.depth_levels = depth_levels

    def capabilities(self, feed_account: str) -> Capabilities:
        return self.broker.data_client.capabilities

    async def open_adapter(self, feed_account: str) -> SimulatorStreamingAdapter:
        return self.broker.streaming_adapter(self.ticks_per_second, self.depth_levels)
