"""Every router of the app, mounted in one place. Each issue adds its routers in its own section."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from backend.api import health


def api_v1_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1")
    # --- API v1 (OpenAlgo-compatible) routers ---
    from backend.api.v1 import market, symbols  # issue 4

    router.include_router(symbols.router)
    router.include_router(market.router)
    from backend.api.v1 import margin, market_data, orders, portfolio, utility  # issue 5

    for module_router in (orders.router, margin.router, portfolio.router, market_data.router, utility.router,
                          utility.analyzer_router):
        router.include_router(module_router)
    from backend.api.v1 import options  # issue 9: options orders, chain, greeks

    router.include_router(options.router)
    router.include_router(options.greeks_router)
    return router


def web_router() -> APIRouter:
    router = APIRouter()
    # --- SPA session routes (accounts, admin, logs) ---
    from backend.api.web import admin, apikey, auth, logs  # issue 3

    for module in (auth, apikey, admin, logs):
        router.include_router(module.router)
    from backend.api.web import trading, watchlists  # issue 5: the SPA's trading, market-data, watchlists

    router.include_router(trading.router)
    router.include_router(trading.market)
    router.include_router(watchlists.router)
    return router


def mount_routes(app: FastAPI) -> None:
    app.include_router(health.router)
    app.include_router(api_v1_router())
    app.include_router(web_router())
    # --- the React SPA: keep LAST, it answers every other GET (issue 8) ---
    from backend.api.spa import spa_router

    app.include_router(spa_router())
