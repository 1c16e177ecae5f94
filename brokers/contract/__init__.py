"""The contract every broker plugin implements. Canonical types live here; plugins import only this,
`brokers.common` and their own family."""

from brokers.contract.capabilities import Capabilities, DeepDepth, RateLimit
from brokers.contract.config import BrokerConfig
from brokers.contract.errors import (
    BrokerError,
    BrokerUnavailable,
    InstrumentNotFound,
    OrderRejected,
    SessionExpired,
    UnmappedValue,
)
from brokers.contract.manifest import AuthType, BrokerManifest, CredentialField
from brokers.contract.plugin import BrokerPlugin, BrokerSession
from brokers.contract.protocols import (
    DataClient,
    ExecutionClient,
    GttClient,
    InstrumentLookup,
    InstrumentProvider,
    MarginClient,
    StreamingAdapter,
)
from brokers.contract.types import (
    DERIVATIVE_EXCHANGES,
    INDEX_EXCHANGES,
    Action,
    Candle,
    Depth,
    DepthLevel,
    Exchange,
    FeedMode,
    Funds,
    Gtt,
    GttLeg,
    GttRequest,
    GttStatus,
    GttTriggerType,
    Holding,
    Instrument,
    Order,
    OrderRequest,
    OrderStatus,
    Position,
    PriceType,
    Product,
    Quote,
    Tick,
    Trade,
)

__all__ = [
    "DERIVATIVE_EXCHANGES", "INDEX_EXCHANGES", "Action", "AuthType", "BrokerConfig", "BrokerError", "BrokerManifest", "BrokerPlugin", "BrokerSession",
    "BrokerUnavailable", "Candle", "Capabilities", "CredentialField", "DataClient", "DeepDepth", "Depth", "DepthLevel", "Exchange",
    "ExecutionClient", "FeedMode", "Funds", "Gtt", "GttClient", "GttLeg", "GttRequest", "GttStatus",
    "GttTriggerType", "Holding", "Instrument", "InstrumentLookup", "InstrumentNotFound", "InstrumentProvider",
    "MarginClient",
    "Order", "OrderRejected", "OrderRequest", "OrderStatus", "Position", "PriceType", "Product", "Quote",
    "RateLimit", "SessionExpired", "StreamingAdapter", "Tick", "Trade", "UnmappedValue",
]
