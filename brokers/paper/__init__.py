"""The single paper-matching engine (analyzer mode and the simulator broker). Pure: storage is a
protocol (`store.PaperStore`), market data a `DataClient`-like object; see docs/paper-trading.md."""

from brokers.paper.calendar import AlwaysOpenCalendar, ExchangeCalendar
from brokers.paper.config import PaperConfig
from brokers.paper.engine import MarketData, PaperEngine
from brokers.paper.placement import NoActionNeeded
from brokers.paper.store import InMemoryStore, PaperStore

__all__ = ["AlwaysOpenCalendar", "ExchangeCalendar", "InMemoryStore", "MarketData", "NoActionNeeded", "PaperConfig",
           "PaperEngine", "PaperStore"]
