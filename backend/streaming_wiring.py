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
from brokers.contract import FeedMode, Instrument, Tick
from streaming.auth import FeedPrincipal
from streaming.config import HubConfig
from streaming.hub import StreamingHub
from streaming.transports.socketio import socketio_asgi
from streaming.transports.ws_feed import FeedListener, feed_endpoint

log = logging.getLogger("algogate.streaming")

# Until broker sessions exist every user is served by the simulator's shared synthetic feed.
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

    def _principal(self, username: str) -> FeedPrincipal:
        return FeedPrincipal(user_id=username, broker=SIMULATOR, feed_account=SIMULATOR)

    async def authenticate_api_key(self, api_key: str) -> FeedPrincipal | None:
        from backend.domains.accounts.service import verify_api_key

        async with self._app.state.db.sessions() as session:
            user = await verify_api_key(session, api_key)
        return self._principal(user.username) if user is not None else None

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
        return self._principal(user.username) if user is not None and user.is_active else None

    async def resolve(self, principal: FeedPrincipal, exchange: str, symbol: str) -> Instrument | None:
        index = getattr(self._app.state, "symbols", None)
        return index.get(exchange, symbol) if index is not None else None


def rest_quotes(app: FastAPI):
    """The watchdog's REST fallback: the market data client's multiquote, as ticks."""

    async def fetch(feed_account: str, instruments: Sequence[Instrument]) -> list[Tick]:
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
    upstreams = getattr(app.state, "market_feeds", None)  # an UpstreamProvider set by a broker's wiring
    simulator = getattr(app.state, "simulator", None)
    if upstreams is None and simulator is not None:
        from brokers.simulator.broker import SimulatorFeeds

        upstreams = SimulatorFeeds(simulator)
    return StreamingHub(hub_config(settings), upstreams=upstreams, api_keys=auth, sessions=auth, symbols=auth,
                        quote_fetcher=rest_quotes(app), backplane=backplane, default_feed_account=SIMULATOR,
                        supported_brokers=settings.broker_names, cors_allowed_origins=settings.cors_origin_list)


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
