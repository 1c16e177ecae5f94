"""Start-up of the trading path: the paper engine and the per-user gateway resolver."""

from __future__ import annotations

from contextlib import AsyncExitStack
from functools import partial

from fastapi import FastAPI
from sqlalchemy import select

from backend.core.background import BackgroundTasks
from backend.core.db import Database
from backend.core.scheduler import Scheduler
from backend.core.settings import Settings
from backend.domains.accounts.models import User
from backend.domains.brokers.logins import BrokerLogins
from backend.domains.brokers.sessions import BrokerSessions
from backend.domains.gtt.wiring import schedule_gtt_jobs, start_gtt
from backend.domains.sandbox.service import SandboxService
from backend.domains.sandbox.tasks import SandboxJobs
from backend.domains.symbols.masters import SymbolMasters
from backend.domains.trading import analyzer_log
from backend.domains.trading.events import OrderEventPublisher, live_order_update
from backend.domains.trading.gateway import SIMULATOR, GatewayResolver
from backend.domains.trading.market_feed import PaperMarketFeed
from backend.domains.trading.market_sources import MarketSources


async def start_trading(app: FastAPI, settings: Settings, db: Database, stack: AsyncExitStack) -> None:
    symbols = app.state.symbols
    market = getattr(app.state, "market", None)  # the simulator's DataClient, when enabled

    async def resolve(symbol: str, exchange: str):
        return symbols.get(exchange, symbol)

    sandbox = SandboxService(db, settings, resolve=resolve)
    tasks = BackgroundTasks()
    stack.push_async_callback(tasks.drain)  # side effects finish before the hub and db stop
    app.state.background = tasks
    default_broker = (settings.broker_names or [SIMULATOR])[0]
    sandbox.engine.listeners.append(OrderEventPublisher(db, app.state.hub, tasks, default_broker))
    stack.push_async_callback(sandbox.engine.drain)  # units of work whose callers went away
    masters = SymbolMasters(db)
    masters.add(symbols)
    app.state.symbol_masters = masters
    app.state.broker_sessions = BrokerSessions(app.state.accounts.secrets)
    app.state.gateways = GatewayResolver(
        db=db, default_broker=default_broker, simulator_data=market, sandbox=sandbox,
        sessions=app.state.broker_sessions, plugins=app.state.brokers.plugins, masters=masters,
        latency=getattr(app.state, "latency", None),
        cache_profiles=db.dialect == "sqlite" and settings.workers == 1)
    # Each paper account follows its own market: the simulator, or the user's broker in analyzer mode.
    sources = MarketSources(app.state.gateways)
    sandbox.use_markets(sources)
    await sandbox.start()  # catch-up after downtime: sweep, then match resting orders
    feed = PaperMarketFeed(db, sandbox, app.state.hub, sources)
    sandbox.engine.listeners.append(feed.request_sync)
    await feed.sync()
    stack.push_async_callback(feed.close)
    app.state.sandbox = sandbox
    app.state.paper_feed = feed
    app.state.market_sources = sources
    app.state.analyzer_log_count = partial(analyzer_log.count, db)
    app.state.gateways.live_order_listeners.append(partial(_publish_live_order, app))
    app.state.broker_logins = BrokerLogins(app)
    app.state.on_broker_session_expired = app.state.broker_logins.expired
    masters.add_listener(partial(_broadcast, app))
    await start_gtt(app, stack)  # the simulated GTT book (api-v1 §3.12), fired from the same hub


def _publish_live_order(app: FastAPI, user, broker: str, order) -> None:
    """A live broker's acknowledgement becomes the same `order_update` paper orders produce."""
    payload = live_order_update(order, user.username, broker)
    app.state.background.spawn(app.state.hub.publish_order_update(user.username, payload),
                               name=f"order_update {order.orderid}")


def _broadcast(app: FastAPI, event: str, payload: dict) -> None:
    """Master-contract progress concerns everyone signed in: emit to every connected socket."""
    bridge = getattr(app.state.hub, "socketio", None)
    if bridge is not None:
        app.state.background.spawn(bridge.broadcast(event, payload), name=f"broadcast {event}")


def schedule_trading_jobs(app: FastAPI, scheduler: Scheduler) -> None:
    """Paper-engine jobs (square-off, T+1, expiry, safety poll, daily P&L, resets), the paper feed's
    resync, the simulated GTT book's resync and sweep, and broker-session expiry: tokens die at each
    broker's daily rollover (their stored expiry); a sweep every minute revokes the due ones with one
    conditional UPDATE, so with several workers each user is told exactly once to log in again."""
    SandboxJobs(app.state.sandbox, scheduler).install()  # quotes from each account's own market source
    scheduler.aps.add_job(app.state.paper_feed.sync, "interval", seconds=5, id="paper-feed-sync",
                          replace_existing=True, max_instances=1, coalesce=True)
    schedule_gtt_jobs(app, scheduler)

    async def expire_broker_sessions() -> None:
        async with app.state.db.sessions() as session:
            expired = await app.state.broker_sessions.expire_due(session)
            user_ids = {user_id for user_id, _ in expired}
            usernames = dict((await session.execute(
                select(User.id, User.username).where(User.id.in_(user_ids)))).all()) if expired else {}
            await session.commit()
        for user_id, broker in expired:
            await app.state.broker_logins.ended(user_id, usernames.get(user_id, str(user_id)), broker,
                                                "Broker session expired, log in again.")

    scheduler.aps.add_job(expire_broker_sessions, "interval", minutes=1, id="expire_broker_sessions",
                          replace_existing=True, max_instances=1, coalesce=True)
