"""The application factory. Start order: database → brokers → streaming hub → schedulers;
stop in reverse, each step guarded so one failure does not leave the rest running."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI
from backend.core.responses import FastJSONResponse

from backend import __version__
from backend.api.router import mount_routes
from backend.core.db import Database
from backend.core.errors import install_error_handlers
from backend.core.logging import setup_logging
from backend.core.middleware import BodySizeLimitMiddleware, RequestIdMiddleware
from backend.core.migrate import upgrade
from backend.core.scheduler import Scheduler
from backend.core.settings import Settings, load_settings
from brokers.registry import BrokerRegistry
from streaming.hub import StreamingHub

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

            registry = BrokerRegistry(enabled=settings.broker_names)
            await registry.start()
            stack.push_async_callback(registry.stop)
            app.state.brokers = registry

            hub = StreamingHub()
            await hub.start()
            stack.push_async_callback(hub.stop)
            app.state.hub = hub

            scheduler = Scheduler()
            await scheduler.start()
            stack.push_async_callback(scheduler.stop)
            app.state.scheduler = scheduler

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
    app.add_middleware(RequestIdMiddleware)
    return app


def app_from_env() -> FastAPI:
    """Factory for uvicorn (`--factory`): settings from the environment and `.env`."""
    settings = load_settings(generate_secrets=False)
    setup_logging(settings.log_level)
    return create_app(settings)
