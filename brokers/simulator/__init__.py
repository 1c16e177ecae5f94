"""The built-in simulator broker: a synthetic market that needs no credentials and no internet.

Entry points: `SimulatorBroker.create(seed, clock, session_mode)` → `.data_client` (DataClient),
`.streaming_adapter(ticks_per_second)` (StreamingAdapter), `.provider` (InstrumentProvider),
`.market` (SimulatedMarket) and `.clock` (SimClock); `SimulatorFeeds(broker)` is the streaming
hub's UpstreamProvider.
"""

from brokers.simulator.broker import DEFAULT_SEED, SimulatorBroker, SimulatorFeeds
from brokers.simulator.clock import SimClock
from brokers.simulator.data_client import CAPABILITIES, SimulatorDataClient
from brokers.simulator.market import SessionMode, SimulatedMarket
from brokers.simulator.provider import SimulatorInstrumentProvider
from brokers.simulator.streaming import SimulatorStreamingAdapter

__all__ = ["CAPABILITIES", "DEFAULT_SEED", "SessionMode", "SimClock", "SimulatedMarket", "SimulatorBroker",
           "SimulatorDataClient", "SimulatorFeeds", "SimulatorInstrumentProvider", "SimulatorStreamingAdapter"]
