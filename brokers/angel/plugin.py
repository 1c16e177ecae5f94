"""The Angel One (SmartAPI) broker plugin.

Endpoint names read from `BrokerConfig.urls` (each overridable, e.g. by a test's fake broker):

| name     | default                                                                              |
|----------|--------------------------------------------------------------------------------------|
| `api`    | `https://apiconnect.angelone.in` (login, orders, books, quotes, history, margin)     |
| `feed`   | `wss://smartapisocket.angelone.in/smart-stream` (SmartStream v2 market data)          |
| `master` | `https://margincalculator.angelbroking.com/OpenAPI_File/files/OpenAPIScripMaster.json` |

There is no login page: Angel logs in with client code + PIN + TOTP posted by the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time

from brokers.angel.auth import ROLLOVER, login
from brokers.angel.manifest import MANIFEST
from brokers.angel.market import INTERVALS, AngelDataClient
from brokers.angel.master import AngelInstrumentProvider
from brokers.angel.orders import AngelExecutionClient
from brokers.angel.streaming import DEPTH20_EXCHANGES, DEPTH20_LEVELS, DEPTH20_MAX_TOKENS, SmartStreamAdapter
from brokers.angel.wire import BROKER, DISPLAY, SmartApiRest
from brokers.common.http import BrokerHttp
from brokers.contract.capabilities import Capabilities, DeepDepth, RateLimit
from brokers.contract.config import BrokerConfig
from brokers.contract.errors import BrokerError
from brokers.contract.plugin import BrokerSession
from brokers.contract.protocols import InstrumentLookup
from brokers.contract.types import Exchange, FeedMode

DEFAULT_API = "https://apiconnect.angelone.in"
DEFAULT_FEED = "wss://smartapisocket.angelone.in/smart-stream"
DEFAULT_MASTER = "https://margincalculator.angelbroking.com/OpenAPI_File/files/OpenAPIScripMaster.json"

# SmartAPI's published per-endpoint limits (reference §7), per client code. The four contract
# groups first; the finer endpoint buckets below keep single 1/s endpoints from sharing one budget.
GROUP_LIMITS: dict[str, RateLimit] = {
    "orders": RateLimit(20),  # placeOrder / modifyOrder / cancelOrder
    "quotes": RateLimit(10),  # market/v1/quote
    # getCandleData / getOIData allow 3/s in a strict rolling second; even 0.4 s spacing trips
    # it, so pace at 0.5 s like OpenAlgo.
    "history": RateLimit(2, burst=1),
    "other": RateLimit(1),  # books and login, the slowest endpoints
}
ENDPOINT_LIMITS: dict[str, RateLimit] = {
    "orderbook": RateLimit(1), "tradebook": RateLimit(1), "positions": RateLimit(1), "holdings": RateLimit(1),
    "rms": RateLimit(2), "margin": RateLimit(10), "login": RateLimit(1),
}

CAPABILITIES = Capabilities(
    exchanges=frozenset({Exchange.NSE, Exchange.BSE, Exchange.NFO, Exchange.BFO, Exchange.CDS, Exchange.MCX,
                         Exchange.NCDEX, Exchange.NSE_INDEX, Exchange.BSE_INDEX, Exchange.MCX_INDEX}),
    depth_levels=(5,),
    intervals=tuple(INTERVALS),
    history_max_days={interval: days for interval, (_, days) in INTERVALS.items()},
    feed_modes=frozenset({FeedMode.LTP, FeedMode.QUOTE, FeedMode.DEPTH}),
    max_symbols_per_connection=1000,
    max_connections_per_user=3,
    max_instruments_per_subscribe=100,
    max_symbols_per_multiquote=50,
    gtt=False,
    basket_margin=True,
    rate_limits=dict(GROUP_LIMITS),
    # Depth-20: mode 4 of the SmartStream socket, NSE cash only, 50 tokens a connection; its
    # connections come out of the same 3 a client code may hold.
    deep_depth=DeepDepth(levels=(DEPTH20_LEVELS,), exchanges=DEPTH20_EXCHANGES,
                         max_symbols_per_connection=DEPTH20_MAX_TOKENS, max_connections=2, own_socket=False,
                         shares_connection_limit=True),
)


class AngelPlugin:
    manifest = MANIFEST
    capabilities = CAPABILITIES
    session_rollover: time = ROLLOVER

    def __init__(self, config: BrokerConfig, *, rate_limits: Mapping[str, RateLimit] | None = None,
                 heartbeat_seconds: float = 10.0) -> None:
        self.config = config
        self.api_url = config.url("api", DEFAULT_API)
        self.feed_url = config.url("feed", DEFAULT_FEED)
        self.master_url = config.url("master", DEFAULT_MASTER)
        self.heartbeat_seconds = heartbeat_seconds
        limits = {**GROUP_LIMITS, **ENDPOINT_LIMITS, **(rate_limits or {})}
        # One pooled client for every account on this installation (SmartAPI limits are per client
        # code, but sharing one pacer errs on the safe side).
        self.http = BrokerHttp(BROKER, self.api_url, limits=limits, transport=config.transport)

    def login_url(self, credentials: Mapping[str, str], state: str) -> str | None:
        return None

    async def authenticate(self, credentials: Mapping[str, str], params: Mapping[str, str]) -> BrokerSession:
        return await login(SmartApiRest(self.http, api_key=""), credentials, params)

    def _rest(self, session: BrokerSession) -> SmartApiRest:
        api_key = session.extra.get("api_key", "")
        if not api_key:
            raise BrokerError(BROKER, f"{DISPLAY}: the session carries no API key; log in again", 401)
        return SmartApiRest(self.http, api_key=api_key, jwt=session.access_token)

    def data_client(self, session: BrokerSession, instruments: InstrumentLookup) -> AngelDataClient:
        return AngelDataClient(self._rest(session), self.capabilities)

    def execution_client(self, session: BrokerSession, instruments: InstrumentLookup) -> AngelExecutionClient:
        return AngelExecutionClient(self._rest(session), instruments)

    def streaming_adapter(self, session: BrokerSession, instruments: InstrumentLookup,
                          depth_levels: int | None = None) -> SmartStreamAdapter:
        """A SmartStream connection (Snap Quote's 5 levels), or with `depth_levels=20` one that
        streams depth-20 (mode 4) for NSE cash."""
        if not session.feed_token:
            raise BrokerError(BROKER, f"{DISPLAY}: the session has no feed token; log in again", 401)
        return SmartStreamAdapter(
            self.feed_url, jwt=session.access_token, api_key=session.extra.get("api_key", ""),
            client_code=session.extra.get("client_code", session.broker_user_id), feed_token=session.feed_token,
            max_tokens=self.capabilities.max_symbols_per_connection,
            max_per_message=self.capabilities.max_instruments_per_subscribe,
            heartbeat_seconds=self.heartbeat_seconds, depth_levels=depth_levels)

    def instrument_provider(self, session: BrokerSession | None = None) -> AngelInstrumentProvider:
        return AngelInstrumentProvider(self.http, self.master_url)

    async def close(self) -> None:
        await self.http.close()


def create(config: BrokerConfig) -> AngelPlugin:
    return AngelPlugin(config)
