"""One simulator per process: the market plus the contract objects built on it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from brokers.common.calendar import ExchangeCalendar, default_calendar
from brokers.contract.capabilities import Capabilities, DeepDepth
from brokers.contract.types import Exchange
from brokers.simulator.clock import SimClock
from brokers.simulator.data_client import SimulatorDataClient
from brokers.simulator.market import SessionMode, SimulatedMarket
from brokers.simulator.process import EPOCH, ist_day_and_second
from brokers.simulator.provider import SimulatorInstrumentProvider
from brokers.simulator.streaming import SimulatorStreamingAdapter

DEFAULT_SEED = 7

# The simulated feed streams 5-level books; 20-level books come from their own connections, like
# Dhan's twentydepth socket (NSE and NFO only, 50 symbols each, within the connection limit), so
# the hub's deep-depth path runs offline.
FEED_DEEP_DEPTH = DeepDepth(levels=(20,), exchanges=frozenset({Exchange.NSE, Exchange.NFO}),
                            max_symbols_per_connection=50, max_connections=2, own_socket=True,
                            shares_connection_limit=True)


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
        self._capabilities: Capabilities | None = None

    def capabilities(self, feed_account: str) -> Capabilities:
        if self._capabilities is None:
            self._capabilities = replace(self.broker.data_client.capabilities, feed_depth_levels=self.depth_levels,
                                         deep_depth=FEED_DEEP_DEPTH)
        return self._capabilities

    async def open_adapter(self, feed_account: str, depth_levels: int | None = None) -> SimulatorStreamingAdapter:
        """A main-feed adapter, or (`depth_levels`) one streaming books of that many levels."""
        return self.broker.streaming_adapter(self.ticks_per_second, depth_levels or self.depth_levels)
