"""The Dhan plugin (DhanHQ API v2).

Endpoint names read from `BrokerConfig.urls` (each overridable, which is how tests use a fake):

| name     | default                                                   | used for                              |
|----------|-----------------------------------------------------------|---------------------------------------|
| `api`    | `https://api.dhan.co`                                     | REST `/v2/...` (orders, books, data)  |
| `auth`   | `https://auth.dhan.co`                                    | generate-consent / consumeApp-consent |
| `login`  | `https://auth.dhan.co`                                    | the browser consent-login page        |
| `feed`   | `wss://api-feed.dhan.co`                                  | live market feed (binary)             |
| `depth20`| `wss://depth-api-feed.dhan.co/twentydepth`                | 20-level depth feed (binary)          |
| `master` | `https://images.dhan.co/api-data/api-scrip-master.csv`    | the scrip-master CSV (full URL)       |

Login: the consent flow needs a server-to-server call *before* the browser can be redirected, but
`login_url` is synchronous. So `prepare_login()` (async) generates the consent and remembers the URL
for the `state`; `login_url()` returns it (None until prepared, when the pasted-token login field is
the way in). `authenticate()` takes the callback's `tokenId`, or a pasted `access_token`.
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
from brokers.dhan import auth, depth
from brokers.dhan.client import DhanApi
from brokers.dhan.manifest import MANIFEST
from brokers.dhan.margin import DhanExecutionWithMargin
from brokers.dhan.market import HISTORY_MAX_DAYS, INTERVALS, QUOTE_BATCH, DhanData
from brokers.dhan.master import DhanInstrumentProvider
from brokers.dhan.streaming import DhanStreamingAdapter

DEFAULT_URLS = {
    "api": "https://api.dhan.co",
    "auth": "https://auth.dhan.co",
    "login": "https://auth.dhan.co",
    "feed": "wss://api-feed.dhan.co",
    "depth20": "wss://depth-api-feed.dhan.co/twentydepth",
    "master": "https://images.dhan.co/api-data/api-scrip-master.csv",
}

# Dhan's published limits: orders 10/s (older docs; 25/s now — the safe figure), data (charts) 5/s,
# quotes (/marketfeed) 1/s, everything else 20/s.
RATE_LIMITS = {
    "orders": RateLimit(10, 1.0),
    "quotes": RateLimit(1, 1.0),
    "history": RateLimit(5, 1.0),
    "other": RateLimit(20, 1.0),
}

CAPABILITIES = Capabilities(
    exchanges=frozenset({Exchange.NSE, Exchange.BSE, Exchange.NFO, Exchange.BFO, Exchange.CDS, Exchange.BCD,
                         Exchange.MCX, Exchange.NSE_INDEX, Exchange.BSE_INDEX}),
    depth_levels=(5,),  # REST market depth
    intervals=INTERVALS,
    history_max_days=HISTORY_MAX_DAYS,
    feed_modes=frozenset(FeedMode),
    max_symbols_per_connection=5000,
    max_connections_per_user=5,
    max_instruments_per_subscribe=100,
    max_symbols_per_multiquote=QUOTE_BATCH,
    gtt=False,
    basket_margin=True,
    rate_limits=RATE_LIMITS,
    # 20-level books on their own socket (NSE/NFO, 50 instruments each), which counts toward the
    # 5-connection limit. (The 200-level socket, one instrument per connection, is not built.)
    deep_depth=DeepDepth(levels=(depth.LEVELS,), exchanges=depth.EXCHANGES,
                         max_symbols_per_connection=depth.MAX_INSTRUMENTS, max_connections=4, own_socket=True,
                         shares_connection_limit=True),
)


class DhanPlugin:
    manifest = MANIFEST
    # Dhan tokens live 24 h from issue rather than dying at a fixed hour; 03:00 IST forces the daily
    # fresh consent Dhan requires anyway, before the next session opens. `expires_at` is exact.
    session_rollover = time(3, 0)

    def __init__(self, config: BrokerConfig, capabilities: Capabilities = CAPABILITIES) -> None:
        self.config = config
        self.capabilities = capabilities
        self.urls = {name: config.url(name, default) for name, default in DEFAULT_URLS.items()}
        self.http = BrokerHttp("dhan", self.urls["api"], limits=dict(capabilities.rate_limits),
                               transport=config.transport)
        self._consents: dict[str, str] = {}  # state → consent login URL

    # --- login ------------------------------------------------------------------------------
    async def prepare_login(self, credentials: Mapping[str, str], state: str) -> str:
        """Generate a consent (server to server) and return the browser login URL for `state`."""
        consent = await auth.generate_consent(self.http, self.urls["auth"], credentials)
        url = auth.consent_login_url(self.urls["login"], consent)
        if len(self._consents) > 256:  # abandoned logins must not pile up
            self._consents.clear()
        self._consents[state] = url
        return url

    def login_url(self, credentials: Mapping[str, str], state: str) -> str | None:
        return self._consents.get(state)

    async def authenticate(self, credentials: Mapping[str, str], params: Mapping[str, str]) -> BrokerSession:
        pasted = (params.get("access_token") or "").strip()
        if pasted:
            return await auth.pasted_token(self.http, credentials, pasted)
        token_id = auth.callback_token_id(params)
        if token_id:
            state = params.get("state")
            if state:
                self._consents.pop(state, None)
            return await auth.consume_consent(self.http, self.urls["auth"], credentials, token_id)
        raise BrokerError("dhan", "login needs the consent callback's tokenId or a pasted access token", 400)

    # --- clients ----------------------------------------------------------------------------
    def data_client(self, session: BrokerSession, instruments: InstrumentLookup) -> DhanData:
        return DhanData(DhanApi(self.http, session, instruments), self.capabilities)

    def execution_client(self, session: BrokerSession, instruments: InstrumentLookup) -> DhanExecutionWithMargin:
        return DhanExecutionWithMargin(DhanApi(self.http, session, instruments))

    def streaming_adapter(self, session: BrokerSession, instruments: InstrumentLookup,
                          depth_levels: int | None = None) -> DhanStreamingAdapter:
        """The live feed (5-level books), or with `depth_levels=20` a 20-level depth socket."""
        if depth_levels is None:
            return DhanStreamingAdapter(self.urls["feed"], session, self.capabilities.max_instruments_per_subscribe)
        if depth_levels != depth.LEVELS:
            raise BrokerError("dhan", f"Dhan streams 5 or {depth.LEVELS} depth levels, not {depth_levels}", 400)
        return depth.DhanDepthAdapter(self.urls["depth20"], session)

    def instrument_provider(self, session: BrokerSession | None = None) -> DhanInstrumentProvider:
        return DhanInstrumentProvider(self.http, self.urls["master"])

    async def close(self) -> None:
        await self.http.close()


def create(config: BrokerConfig) -> DhanPlugin:
    return DhanPlugin(config)
