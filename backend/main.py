"""The application factory. Start order: database → brokers → streaming hub → schedulers;
stop in reverse, each step guarded so one failure does not leave the rest running."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI

from backend import __version__
from backend.api.router import mount_routes
from backend.api.v1.routing import TrailingSlashMiddleware
from backend.core.db import Database
from backend.core.errors import install_error_handlers
from backend.core.logging import setup_logging
from backend.core.middleware import BodySizeLimitMiddleware, RequestIdMiddleware
from backend.core.migrate import upgrade
from backend.core.responses import FastJSONResponse
from backend.core.scheduler import Scheduler
from backend.core.settings import Settings, load_settings
from backend.domains.accounts.wiring import install_security, start_security
from backend.streaming_wiring import build_streaming_hub, mount_streaming, start_feed_port
from brokers.registry import BrokerRegistry

log = logging.getLogger("algogate")

# Set by `algogate serve` after it migrated once, so several workers do not race to migrate.
MIGRATED_ENV = "ALGOGATE_MIGRATED"


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            db = Database.from_settings(settings)
            stack.push_async_callback(db.dispose)
            if settings.auto_migrate and os.environ.get(MIGRATED_ENV) != "1":
                await upgrade(db)
            app.state.db = db

            # --- accounts and security (issue 3) ---
            await start_security(app, settings, db, stack)

            registry = BrokerRegistry(enabled=settings.broker_names, urls=settings.broker_urls,
                                      host_server=settings.host_server)
            await registry.start()
            stack.push_async_callback(registry.stop)
            app.state.brokers = registry

            # --- simulator market and instrument master (issue 4): app.state.symbols / .simulator / .market ---
            from backend.domains.symbols.runtime import start_symbols

            await start_symbols(app, settings, db, stack)

            # --- streaming hub (issue 7) ---
            hub = build_streaming_hub(app, settings)
            await hub.start()
            stack.push_async_callback(hub.stop)
            app.state.hub = hub
            await start_feed_port(hub, settings)

            # --- trading path: paper engine + per-user gateways (issue 5) ---
            from backend.domains.trading.wiring import start_trading

            await start_trading(app, settings, db, stack)

            scheduler = Scheduler()
            await scheduler.start()
            stack.push_async_callback(scheduler.stop)
            app.state.scheduler = scheduler
            from backend.domains.trading.wiring import schedule_trading_jobs  # issue 5

            schedule_trading_jobs(app, scheduler)

            # --- automation: Action Center, strategy webhooks, Telegram (issue 12) ---
            from backend.domains.automation.wiring import schedule_automation_jobs, start_automation

            schedule_automation_jobs(await start_automation(app, settings, stack), scheduler)

            _settle_start_up_objects()
            log.info("algogate %s ready (%s)", __version__, db.dialect)
            yield
            log.info("algogate shutting down")

    app = FastAPI(
        title="Algogate",
        version=__version__,
        summary="Self-hosted algorithmic-trading platform, OpenAlgo-compatible API.",
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
        default_response_class=FastJSONResponse,
    )
    app.state.settings = settings
    install_error_handlers(app)
    mount_routes(app)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_bytes)
    install_security(app, settings)  # issue 3: headers, IP guard, traffic log, CORS, rate limits
    mount_streaming(app)  # issue 7: feed protocol at /ws, Socket.IO at /socket.io
    app.add_middleware(TrailingSlashMiddleware)  # issue 5: /api/v1/x/ == /api/v1/x, as in OpenAlgo
    app.add_middleware(RequestIdMiddleware)
    return app


def _settle_start_up_objects() -> None:
    """`algogate serve` turns the cyclic garbage collector off for start-up: collect once now, then
    freeze what is left so later full collections skip start-up's long-lived objects."""
    if not gc.isenabled():
        gc.collect()
        gc.freeze()
        gc.enable()


def app_from_env() -> FastAPI:
    """Factory for uvicorn (`--factory`): settings from the environment and `.env`."""
    settings = load_settings(generate_secrets=False)
    setup_logging(settings.log_level)
    return create_app(settings)
