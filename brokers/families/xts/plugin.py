"""The Symphony XTS family plugin, configured per member broker (`brokers/<member>/manifest.py`).

Endpoint names read from `BrokerConfig.urls` (each overridable, which is how tests use a fake):

| name         | default                        | used for                                            |
|--------------|--------------------------------|-----------------------------------------------------|
| `api`        | the member's base URL          | interactive REST: `{api}/interactive/...`           |
| `marketdata` | `{api}{member.md_root}`        | market-data REST: login, quotes, OHLC, master, subs |
| `feed`       | `{api}` as ws(s)://            | Socket.IO host; the path is the member's socket path |
| `login`      | `{api}`                        | CompositEdge's `/interactive/thirdparty` login page |
"""

from __future__ import annotations

from collections.abc import Mapping

from brokers.common.http import BrokerHttp
from brokers.contract.capabilities import Capabilities, RateLimit
from brokers.contract.config import BrokerConfig
from brokers.contract.errors import SessionExpired
from brokers.contract.plugin import BrokerSession
from brokers.contract.protocols import InstrumentLookup
from brokers.contract.types import Exchange, FeedMode
from brokers.families.xts import auth
from brokers.families.xts.mapping import XtsMaps
from brokers.families.xts.market import CHUNK_DAYS, INTERVALS, QUOTE_BATCH, XtsData
from brokers.families.xts.master import XtsInstrumentProvider
from brokers.families.xts.member import XtsMember, xts_manifest
from brokers.families.xts.orders import XtsExecution
from brokers.families.xts.streaming import SUBSCRIBE_BATCH, XtsStreamingAdapter
from brokers.families.xts.wire import XtsApi

SEGMENT_EXCHANGES = {"NSECM": (Exchange.NSE, Exchange.NSE_INDEX), "NSEFO": (Exchange.NFO,),
                     "NSECD": (Exchange.CDS,), "BSECM": (Exchange.BSE, Exchange.BSE_INDEX),
                     "BSEFO": (Exchange.BFO,), "MCXFO": (Exchange.MCX,)}


def rate_limits(member: XtsMember) -> dict[str, RateLimit]:
    # XTS members do not publish per-group figures except Jainam (orders unlimited, everything else
    # 1800 / 15 min); 10 requests/s per group is a conservative default for the others.
    other = RateLimit(member.other_rate, member.other_per_seconds)
    return {"orders": RateLimit(10), "quotes": other, "history": other, "other": other}


def capabilities(member: XtsMember) -> Capabilities:
    exchanges = frozenset(e for segment in member.segments for e in SEGMENT_EXCHANGES.get(segment, ()))
    return Capabilities(
        exchanges=exchanges | {Exchange.NSE_INDEX, Exchange.BSE_INDEX},
        depth_levels=(5,),
        intervals=tuple(INTERVALS),
        history_max_days={name: CHUNK_DAYS for name in INTERVALS},
        feed_modes=frozenset(FeedMode),
        max_symbols_per_connection=1000,  # not published by XTS
        max_connections_per_user=1,  # subscriptions belong to the market-data token, not the socket
        max_instruments_per_subscribe=SUBSCRIBE_BATCH,
        max_symbols_per_multiquote=QUOTE_BATCH,
        gtt=False,
        basket_margin=False,
        rate_limits=rate_limits(member),
    )


class XtsPlugin:
    session_rollover = auth.TOKEN_EXPIRY

    def __init__(self, member: XtsMember, config: BrokerConfig, *,
                 rate_limits: Mapping[str, RateLimit] | None = None) -> None:
        self.member = member
        self.manifest = xts_manifest(member)
        self.capabilities = capabilities(member)
        self.config = config
        self.api_base = config.url("api", member.base_url)
        self.interactive_root = f"{self.api_base}/interactive"
        self.md_root = config.url("marketdata", f"{self.api_base}{member.md_root}")
        default_feed = self.api_base.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
        self.feed_url = config.url("feed", default_feed)
        self.login_base = config.url("login", self.api_base)
        self.maps = XtsMaps(member.name)
        # One pooled client per plugin, absolute URLs: interactive and market data share the buckets.
        self.http = BrokerHttp(member.name, "", limits=dict(rate_limits or self.capabilities.rate_limits),
                               transport=config.transport)

    def login_url(self, credentials: Mapping[str, str], state: str) -> str | None:
        return auth.login_url(self.member, self.login_base, credentials, self.config.redirect_url, state)

    async def authenticate(self, credentials: Mapping[str, str], params: Mapping[str, str]) -> BrokerSession:
        return await auth.authenticate(self.member, self.http, self.interactive_root, self.md_root, credentials,
                                       params)

    def _api(self, session: BrokerSession) -> XtsApi:
        if not session.feed_token:
            raise SessionExpired(self.member.name, "session lacks the market-data token; log in again")
        return XtsApi(self.member.name, self.http, self.interactive_root, self.md_root, session.access_token,
                      session.feed_token)

    def data_client(self, session: BrokerSession, instruments: InstrumentLookup) -> XtsData:
        return XtsData(self._api(session), self.capabilities, self.maps)

    def execution_client(self, session: BrokerSession, instruments: InstrumentLookup) -> XtsExecution:
        return XtsExecution(self._api(session), instruments, self.maps)

    def streaming_adapter(self, session: BrokerSession, instruments: InstrumentLookup) -> XtsStreamingAdapter:
        user_id = session.extra.get("md_user_id") or session.broker_user_id
        return XtsStreamingAdapter(self._api(session), self.maps, self.feed_url, self.member.socket_path, user_id)

    def instrument_provider(self, session: BrokerSession | None = None) -> XtsInstrumentProvider:
        if session is None:
            raise SessionExpired(self.member.name, "the XTS master contract needs a market-data login")
        return XtsInstrumentProvider(self._api(session), self.member.segments)

    async def close(self) -> None:
        await self.http.close()


def create_member(name: str, config: BrokerConfig) -> XtsPlugin:
    import importlib

    member = importlib.import_module(f"brokers.{name}.manifest").MEMBER
    return XtsPlugin(member, config)


def create_fivepaisaxts(config: BrokerConfig) -> XtsPlugin:
    return create_member("fivepaisaxts", config)


def create_iifl(config: BrokerConfig) -> XtsPlugin:
    return create_member("iifl", config)


def create_ibulls(config: BrokerConfig) -> XtsPlugin:
    return create_member("ibulls", config)


def create_wisdom(config: BrokerConfig) -> XtsPlugin:
    return create_member("wisdom", config)


def create_compositedge(config: BrokerConfig) -> XtsPlugin:
    return create_member("compositedge", config)


def create_jainamxts(config: BrokerConfig) -> XtsPlugin:
    return create_member("jainamxts", config)
