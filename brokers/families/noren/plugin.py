"""The Noren family plugin: one implementation, configured per member broker by a `NorenMember`
(`brokers/<member>/config.py`). URL names are documented in `member.py`; every one of them is
overridable through `BrokerConfig.urls`."""

from __future__ import annotations

from collections.abc import Mapping

from brokers.common.http import BrokerHttp
from brokers.common.ratelimit import TokenBucket
from brokers.contract.capabilities import Capabilities, RateLimit
from brokers.contract.config import BrokerConfig
from brokers.contract.errors import BrokerError
from brokers.contract.plugin import BrokerSession
from brokers.contract.protocols import InstrumentLookup
from brokers.contract.types import Exchange, FeedMode
from brokers.families.noren import auth
from brokers.families.noren.mapping import maps_for
from brokers.families.noren.market import WINDOW_DAYS, NorenData
from brokers.families.noren.master import NorenInstrumentProvider
from brokers.families.noren.member import NorenMember, manifest_for
from brokers.families.noren.orders import NorenExecution
from brokers.families.noren.streaming import SUBSCRIBE_BATCH, NorenStreamingAdapter
from brokers.families.noren.wire import NorenApi

GROUPS = ("orders", "quotes", "history", "other")


def rate_limits(member: NorenMember) -> dict[str, RateLimit]:
    if "shared" in member.rate_limits:
        limit = RateLimit(*member.rate_limits["shared"])
        return {group: limit for group in GROUPS}
    return {group: RateLimit(*spec) for group, spec in member.rate_limits.items()}


def capabilities_for(member: NorenMember) -> Capabilities:
    intervals = (*member.intervals, "D")
    return Capabilities(
        exchanges=frozenset(Exchange(e) for e in member.exchanges),
        depth_levels=(5,),
        intervals=intervals,
        history_max_days={name: WINDOW_DAYS[name] for name in intervals},
        feed_modes=frozenset(FeedMode),
        # Not documented; OpenAlgo assumes ≤ 5000 per connection on Flattrade, we stay well below.
        max_symbols_per_connection=1000,
        max_connections_per_user=1 if member.name == "flattrade" else 3,
        max_instruments_per_subscribe=SUBSCRIBE_BATCH,
        # One GetQuotes per symbol (no batch endpoint): keep multiquote requests small.
        max_symbols_per_multiquote=20,
        gtt=False,
        basket_margin=bool(member.margin),
        rate_limits=rate_limits(member),
    )


class NorenPlugin:
    def __init__(self, member: NorenMember, config: BrokerConfig, *,
                 rate_limits: Mapping[str, RateLimit] | None = None) -> None:
        self.member = member
        self.manifest = manifest_for(member)
        self.capabilities = capabilities_for(member)
        self.session_rollover = member.rollover
        self.config = config
        self.maps = maps_for(member.name)
        self.login_base = config.url("login", member.urls["login"])
        self.api_base = config.url("api", member.urls["api"])
        self.auth_url = config.url("auth", member.urls["auth"])
        self.feed_url = config.url("feed", member.urls["feed"])
        self.master_base = config.url("master", member.urls["master"])
        limits = dict(rate_limits or self.capabilities.rate_limits)
        # One pooled client per plugin (not per call): every user's calls share the buckets.
        self.http = BrokerHttp(member.name, self.api_base, limits=limits, transport=config.transport)
        if rate_limits is None and "shared" in member.rate_limits:
            # A per-user budget across all endpoints: one bucket behind every group.
            shared = TokenBucket(RateLimit(*member.rate_limits["shared"]))
            self.http.limiter.buckets = {group: shared for group in GROUPS}

    def login_url(self, credentials: Mapping[str, str], state: str) -> str | None:
        return auth.login_url(self.member, self.login_base, credentials)

    async def authenticate(self, credentials: Mapping[str, str], params: Mapping[str, str]) -> BrokerSession:
        return await auth.authenticate(self.http, self.member, self.auth_url, credentials, params)

    def api(self, session: BrokerSession) -> NorenApi:
        uid = session.extra.get("uid") or session.broker_user_id
        if not uid:
            raise BrokerError(self.member.name, "session lacks the user id; log in again", 401)
        return NorenApi(self.http, self.member, session.access_token, uid, session.extra.get("actid", uid))

    def data_client(self, session: BrokerSession, instruments: InstrumentLookup) -> NorenData:
        return NorenData(self.api(session), self.maps, self.capabilities)

    def execution_client(self, session: BrokerSession, instruments: InstrumentLookup) -> NorenExecution:
        api = self.api(session)
        return NorenExecution(api, self.maps, instruments, NorenData(api, self.maps, self.capabilities))

    def streaming_adapter(self, session: BrokerSession, instruments: InstrumentLookup) -> NorenStreamingAdapter:
        api = self.api(session)
        return NorenStreamingAdapter(self.member.name, self.feed_url, api.uid, api.actid, session.access_token,
                                     self.maps)

    def instrument_provider(self, session: BrokerSession | None = None) -> NorenInstrumentProvider:
        return NorenInstrumentProvider(self.http, self.member, self.master_base)

    async def close(self) -> None:
        await self.http.close()


def create_shoonya(config: BrokerConfig) -> NorenPlugin:
    from brokers.shoonya.config import MEMBER
    return NorenPlugin(MEMBER, config)


def create_zebu(config: BrokerConfig) -> NorenPlugin:
    from brokers.zebu.config import MEMBER
    return NorenPlugin(MEMBER, config)


def create_tradesmart(config: BrokerConfig) -> NorenPlugin:
    from brokers.tradesmart.config import MEMBER
    return NorenPlugin(MEMBER, config)


def create_flattrade(config: BrokerConfig) -> NorenPlugin:
    from brokers.flattrade.config import MEMBER
    return NorenPlugin(MEMBER, config)
