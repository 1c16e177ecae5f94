"""The Fyers plugin: `create(config)` is the registry's entrypoint.

Endpoint names read from `BrokerConfig.urls` (every host can be pointed at a fake or UAT host):

| name     | default                               | used for                                          |
|----------|---------------------------------------|---------------------------------------------------|
| `login`  | `https://api-t1.fyers.in`             | the browser login page `/api/v3/generate-authcode` |
| `api`    | `https://api-t1.fyers.in`             | REST: `/api/v3/...` (auth, orders, books), `/data/...` |
| `feed`   | `wss://socket.fyers.in/hsm/v1-5/prod` | the HSM binary market-data WebSocket              |
| `tbt`    | `wss://rtsocket-api.fyers.in/versova` | the TBT socket: 50-level depth (protobuf)          |
| `master` | `https://public.fyers.in/sym_details` | the public symbol-master files                     |
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time

from brokers.common.http import BrokerHttp
from brokers.contract.capabilities import Capabilities, DeepDepth, RateLimit
from brokers.contract.config import BrokerConfig
from brokers.contract.errors import BrokerError
from brokers.contract.plugin import BrokerSession
from brokers.contract.protocols import InstrumentLookup
from brokers.contract.types import Exchange, FeedMode
from brokers.fyers import auth, tbt
from brokers.fyers.api import BROKER, FyersApi, auth_header
from brokers.fyers.manifest import MANIFEST
from brokers.fyers.market import HISTORY_MAX_DAYS, MULTIQUOTE_BATCH, RESOLUTIONS, FyersDataClient
from brokers.fyers.master import FyersInstrumentProvider
from brokers.fyers.orders import FyersExecutionClient
from brokers.fyers.streaming import FyersStreamingAdapter

DEFAULT_URLS = {
    "login": "https://api-t1.fyers.in",
    "api": "https://api-t1.fyers.in",
    "feed": "wss://socket.fyers.in/hsm/v1-5/prod",
    "tbt": "wss://rtsocket-api.fyers.in/versova",
    "master": "https://public.fyers.in/sym_details",
}

# Fyers: 10 requests/s and 200/min per API key across all endpoints. Each group may use the whole
# per-second budget; `FyersApi` adds the global 10/s and 200/min buckets so their sum never exceeds it.
RATE_LIMITS = {group: RateLimit(10, 1.0) for group in ("orders", "quotes", "history", "other")}

CAPABILITIES = Capabilities(
    exchanges=frozenset({Exchange.NSE, Exchange.NFO, Exchange.CDS, Exchange.BSE, Exchange.BFO, Exchange.MCX,
                         Exchange.NSE_INDEX, Exchange.BSE_INDEX}),
    depth_levels=(5,),
    intervals=tuple(RESOLUTIONS),
    history_max_days=dict(HISTORY_MAX_DAYS),
    feed_modes=frozenset({FeedMode.LTP, FeedMode.QUOTE, FeedMode.DEPTH}),
    max_symbols_per_connection=5000,  # Fyers: 5000 unique symbols per API key
    max_connections_per_user=1,  # the cap is per key, so one socket carries all of it
    max_instruments_per_subscribe=100,
    max_symbols_per_multiquote=MULTIQUOTE_BATCH,
    gtt=False,
    basket_margin=True,
    rate_limits=RATE_LIMITS,
    # 50-level books on the TBT socket (NSE/NFO), whose connections are counted apart from the HSM's.
    deep_depth=DeepDepth(levels=(tbt.LEVELS,), exchanges=tbt.EXCHANGES, max_symbols_per_connection=tbt.MAX_SYMBOLS,
                         max_connections=tbt.MAX_CONNECTIONS, own_socket=True, shares_connection_limit=False),
)


class FyersPlugin:
    manifest = MANIFEST
    capabilities = CAPABILITIES
    session_rollover = time(6, 0)  # IST; tokens carry their own `exp`, observed at ~06:00 next day

    def __init__(self, config: BrokerConfig) -> None:
        self.config = config
        self.urls = {name: config.url(name, default) for name, default in DEFAULT_URLS.items()}
        self.http = BrokerHttp(BROKER, self.urls["api"], limits=RATE_LIMITS, transport=config.transport)
        self.api = FyersApi(self.http)

    def login_url(self, credentials: Mapping[str, str], state: str) -> str | None:
        app_id = (credentials.get("api_key") or "").strip()
        if not app_id:
            raise BrokerError(BROKER, "the App ID must be configured", 400)
        return auth.login_url(self.urls["login"], app_id, self.config.redirect_url, state)

    async def authenticate(self, credentials: Mapping[str, str], params: Mapping[str, str]) -> BrokerSession:
        return await auth.authenticate(self.api, credentials, params)

    @staticmethod
    def _token(session: BrokerSession) -> str:
        app_id = session.extra.get("app_id", "")
        if not app_id:
            raise BrokerError(BROKER, "the session has no App ID; log in again", 401)
        return auth_header(app_id, session.access_token)

    def data_client(self, session: BrokerSession, instruments: InstrumentLookup) -> FyersDataClient:
        return FyersDataClient(self.api, self._token(session), self.capabilities)

    def execution_client(self, session: BrokerSession, instruments: InstrumentLookup) -> FyersExecutionClient:
        return FyersExecutionClient(self.api, self._token(session), instruments)

    def streaming_adapter(self, session: BrokerSession, instruments: InstrumentLookup,
                          depth_levels: int | None = None) -> FyersStreamingAdapter | tbt.FyersTbtAdapter:
        """The HSM feed (5-level books), or with `depth_levels=50` a TBT depth connection."""
        self._token(session)
        if depth_levels is not None:
            if depth_levels != tbt.LEVELS:
                raise BrokerError(BROKER, f"Fyers streams 5 or {tbt.LEVELS} depth levels, not {depth_levels}", 400)
            # The documented discovery call (GET /indus/home/tbtws → data.socket_url) is skipped: the
            # socket's published address is configured instead.
            return tbt.FyersTbtAdapter(self.urls["tbt"], session.extra["app_id"], session.access_token)
        return FyersStreamingAdapter(self.urls["feed"], session.extra["app_id"], session.access_token, instruments,
                                     self.capabilities.max_instruments_per_subscribe)

    def instrument_provider(self, session: BrokerSession | None = None) -> FyersInstrumentProvider:
        return FyersInstrumentProvider(self.api, self.urls["master"])

    async def close(self) -> None:
        await self.api.close()


def create(config: BrokerConfig) -> FyersPlugin:
    return FyersPlugin(config)
