"""How accounts and security plug into the app: middleware at build time, background parts in
the lifespan. Called from backend/main.py (two lines), so main stays readable.

Middleware order, outermost first: request id → security headers → IP guard → traffic log →
CORS → body-size limit → routes. Headers wrap everything (even a ban or a 413); a banned client is
refused before logging, parsing or any database work.
"""

from __future__ import annotations

from contextlib import AsyncExitStack

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from backend.core.client_ip import ClientIpResolver
from backend.core.db import Database
from backend.core.ipban import IpGuard, IpGuardMiddleware, mark_not_found_responses
from backend.core.ratelimit import RateLimiter, install_rate_limit_handler
from backend.core.security_headers import SecurityHeadersMiddleware
from backend.core.settings import Settings
from backend.domains.accounts.housekeeping import Housekeeping
from backend.domains.accounts.ip_bans import DatabaseBanStore
from backend.domains.accounts.runtime import AccountsRuntime
from backend.domains.monitoring.latency import LatencyRecorder
from backend.domains.monitoring.traffic import TrafficLogMiddleware
from backend.domains.monitoring.writer import LogWriter

CSRF_HEADER = "X-CSRF-Token"


def install_security(app: FastAPI, settings: Settings) -> None:
    """Create the security parts and add their middleware (call before RequestIdMiddleware)."""
    resolver = ClientIpResolver(settings.trusted_proxy_list)
    writer = LogWriter(settings)
    guard = IpGuard(settings, resolver)
    app.state.client_ip_resolver = resolver
    app.state.log_writer = writer
    app.state.latency = LatencyRecorder(writer)
    app.state.ip_guard = guard
    app.state.rate_limiter = RateLimiter.from_settings(settings)
    install_rate_limit_handler(app)
    mark_not_found_responses(app)
    if settings.cors_origin_list:
        # Closed unless origins are configured; never "*" with credentials.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Content-Type", "X-API-KEY", CSRF_HEADER, "X-Request-ID"],
        )
    app.add_middleware(TrafficLogMiddleware, writer=writer)
    app.add_middleware(IpGuardMiddleware, guard=guard)
    app.add_middleware(SecurityHeadersMiddleware, resolver=resolver)


async def start_security(app: FastAPI, settings: Settings, db: Database, stack: AsyncExitStack) -> None:
    """Bind the accounts runtime to the database and start the log writer and IP guard.

    Their stop callbacks are pushed after the database's, so they run before it is disposed:
    the writer drains its queue into a live engine."""
    runtime = AccountsRuntime.from_settings(settings)
    runtime.bind(db)
    app.state.accounts = runtime
    writer: LogWriter = app.state.log_writer
    await writer.start(db)
    stack.push_async_callback(writer.stop)
    guard: IpGuard = app.state.ip_guard
    await guard.start(DatabaseBanStore(db))
    stack.push_async_callback(guard.stop)
    housekeeping = Housekeeping(db)
    await housekeeping.start()
    stack.push_async_callback(housekeeping.stop)
    app.state.accounts_housekeeping = housekeeping
