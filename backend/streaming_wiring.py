"""The backend side of the streaming hub (issue 7): the protocols `streaming.auth` declares,
implemented with the accounts and symbols domains, and the hub's routes and feed port.

`streaming` never imports `backend`; this module is where the two meet.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http.cookies import SimpleCookie

from fastapi import FastAPI

from backend.core.settings import Settings
from backend.domains.brokers.logins import live_feed_account
from brokers.contract import FeedMode, Instrument, Tick
from streaming.auth import FeedPrincipal
from streaming.config import HubConfig
from streaming.hub import StreamingHub
from streaming.pool import UpstreamError
from streaming.transports.socketio import socketio_asgi
from streaming.transports.ws_feed import FeedListener, feed_endpoint

log = logging.getLogger("algogate.streaming")

# Simulator users share one synthetic feed; a live broker's users each have their own feed account
# (`broker:user_id`), fed through their own broker session.
SIMULATOR = "simulator"


def hub_config(settings: Settings) -> HubConfig:
    return HubConfig(
        throttle_ms=settings.stream_throttle_ms,
        max_subscriptions_per_client=settings.stream_max_subscriptions_per_client,
        max_clients_per_user=settings.stream_max_clients_per_user,
        client_write_buffer_bytes=settings.stream_client_buffer_bytes,
        max_queued_messages=settings.stream_max_queued_messages,
        stuck_client_seconds=settings.stream_stuck_client_seconds,
        auth_grace_seconds=settings.ws_auth_grace_seconds,
        ping_interval_seconds=settings.ws_ping_interval,
        ping_timeout_seconds=settings.ws_ping_timeout,
        reconnect_max_seconds=settings.stream_reconnect_max_seconds,
        stale_connection_seconds=settings.stream_stale_connection_seconds,
        stale_symbol_seconds=settings.stream_stale_symbol_seconds,
        rest_fallback_interval_seconds=settings.stream_rest_fallback_seconds,
        lease_ttl_seconds=settings.stream_lease_ttl_seconds,
    )


class AppFeedAuth:
    """API keys and web sessions → feed principals; exchange + symbol → instrument."""

    def __init__(self, app: FastAPI, settings: Settings) -> None:
        self._app = app
        self._cookie_name = settings.session_cookie_name

    async def _principal(self, user) -> FeedPrincipal:
        gateways = getattr(self._app.state, "gateways", None)
        broker = (await gateways.profile_for(user.id)).broker if gateways is not None else SIMULATOR
        if broker == SIMULATOR:
            return FeedPrincipal(user_id=user.username, broker=SIMULATOR, feed_account=SIMULATOR)
        return FeedPrincipal(user_id=user.username, broker=broker, feed_account=live_feed_account(broker, user.id))

    async def authenticate_api_key(self, api_key: str) -> FeedPrincipal | None:
        from backend.domains.accounts.service import verify_api_key

        async with self._app.state.db.sessions() as session:
            user = await verify_api_key(session, api_key)
        return await self._principal(user) if user is not None else None

    async def authenticate_session(self, headers: Mapping[str, str],
                                   auth: Mapping[str, object] | None) -> FeedPrincipal | None:
        from backend.domains.accounts.web_sessions import resolve_session

        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:
            return None
        token = cookie[self._cookie_name].value if self._cookie_name in cookie else None
        if not token:
            return None
        async with self._app.state.db.sessions() as session:
            user = await resolve_session(session, token)
        return await self._principal(user) if user is not None and user.is_active else None

    async def resolve(self, principal: FeedPrincipal, exchange: str, symbol: str) -> Instrument | None:
        masters = getattr(self._app.state, "symbol_masters", None)
        if masters is not None:
            return (await masters.loaded(principal.broker)).get(exchange, symbol)
        index = getattr(self._app.state, "symbols", None)
        return index.get(exchange, symbol) if index is not None else None


class BrokerFeeds:
    """The hub's UpstreamProvider: the simulator's shared feed, or a live broker's streaming
    adapter built from the feed account's own broker session (re-read on every reconnect, so a
    fresh login's token is used and a dead one fails clearly)."""

    def __init__(self, app: FastAPI, simulator_feeds) -> None:
        self._app = app
        self._simulator = simulator_feeds

    def _plugin(self, broker: str):
        plugin = self._app.state.brokers.plugins.get(broker)
        if plugin is None:
            raise UpstreamError(f"Broker '{broker}' is not installed")
        return plugin

    def capabilities(self, feed_account: str):
        if feed_account == SIMULATOR:
            return self._simulator.capabilities(feed_account)
        return self._plugin(feed_account.partition(":")[0]).capabilities

    async def _login(self, feed_account: str):
        broker, _, user_id = feed_account.partition(":")
        async with self._app.state.db.sessions() as session:
            login = await self._app.state.broker_sessions.load(session, int(user_id), broker)
        if login is None:
            raise UpstreamError("Broker session expired, log in again.")
        return broker, login

    async def open_adapter(self, feed_account: str, depth_levels: int | None = None):
        """The pool passes `depth_levels` only for deep-depth connections, which exist only when
        the capabilities declare `deep_depth`, so plugins without it are called as before."""
        deep = {} if depth_levels is None else {"depth_levels": depth_levels}
        if feed_account == SIMULATOR:
            return await self._simulator.open_adapter(feed_account, **deep)
        broker, login = await self._login(feed_account)
        master = await self._app.state.symbol_masters.loaded(broker)
        return self._plugin(broker).streaming_adapter(login, master, **deep)

    async def data_client(self, feed_account: str):
        """REST quotes for the watchdog's fallback while a feed is stale."""
        if feed_account == SIMULATOR:
            return getattr(self._app.state, "market", None)
        broker, login = await self._login(feed_account)
        return self._plugin(broker).data_client(login, await self._app.state.symbol_masters.loaded(broker))


def rest_quotes(app: FastAPI):
    """The watchdog's REST fallback: the market data client's multiquote, as ticks."""

    async def fetch(feed_account: str, instruments: Sequence[Instrument]) -> list[Tick]:
        feeds = getattr(app.state, "market_feeds", None)
        if isinstance(feeds, BrokerFeeds):
            market = await feeds.data_client(feed_account)
        else:
            market = getattr(app.state, "market", None)
        if market is None:
            return []
        quotes = await market.multiquote(list(instruments))
        ticks = []
        for instrument in instruments:
            quote = quotes.get(f"{instrument.exchange}:{instrument.symbol}")
            if quote is not None:
                stamp = int(quote.timestamp.timestamp() * 1000) if quote.timestamp else 0
                ticks.append(Tick(exchange=str(instrument.exchange), symbol=instrument.symbol, mode=FeedMode.QUOTE,
                                  ltp=quote.ltp, timestamp_ms=stamp, volume=quote.volume, open=quote.open,
                                  high=quote.high, low=quote.low, close=quote.prev_close, bid=quote.bid,
                                  ask=quote.ask, oi=quote.oi))
        return ticks

    return fetch


def build_streaming_hub(app: FastAPI, settings: Settings) -> StreamingHub:
    auth = AppFeedAuth(app, settings)
    backplane = None
    if settings.redis_url:
        from streaming.backplane.redis import RedisBackplane  # redis is imported only when configured

        backplane = RedisBackplane(settings.redis_url, "algogate:stream:", settings.stream_lease_ttl_seconds)
    upstreams = getattr(app.state, "market_feeds", None)  # tests may set their own UpstreamProvider
    simulator = getattr(app.state, "simulator", None)
    if upstreams is None and simulator is not None:
        from brokers.simulator.broker import SimulatorFeeds

        upstreams = app.state.market_feeds = BrokerFeeds(app, SimulatorFeeds(simulator))
    return StreamingHub(hub_config(settings), upstreams=upstreams, api_keys=auth, sessions=auth, symbols=auth,
                        quote_fetcher=rest_quotes(app), backplane=backplane, default_feed_account=SIMULATOR,
                        supported_brokers=list(app.state.brokers.manifests), cors_allowed_origins=settings.cors_origin_list)


async def start_feed_port(hub: StreamingHub, settings: Settings) -> None:
    """The extra OpenAlgo feed listener (WEBSOCKET_PORT, 0 = off). A taken port is logged and
    reported by the hub's health, but does not stop the app: `/ws` on the main port still works."""
    if not settings.websocket_port:
        return
    try:
        await hub.add_listener(FeedListener(hub, settings.websocket_host, settings.websocket_port))
    except OSError as exc:
        hub.listener_error = f"feed port {settings.websocket_port}: {exc.strerror or exc}"
        log.error("could not open the feed port: %s", hub.listener_error)


def mount_streaming(app: FastAPI) -> None:
    app.add_api_websocket_route("/ws", feed_endpoint)
    app.mount("/socket.io", socketio_asgi)
