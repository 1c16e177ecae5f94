"""Every router of the app, mounted in one place.

Route matching is a linear scan through nested routers, so the API's hot endpoints are mounted
first and directly on the app (no intermediate router to recurse through); the SPA's catch-all
comes last."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from backend.api import health

API_V1 = "/api/v1"


def api_v1_routers() -> list[APIRouter]:
    """OpenAlgo-compatible routers, hottest first: orders, market data, books, then the rest."""
    from backend.api.v1 import gtt, margin, market, market_data, options, orders, portfolio, symbols, utility

    return [orders.router, gtt.router, gtt.book_router, market_data.router, portfolio.router, utility.router,
            utility.analyzer_router, margin.router, symbols.router, market.router, options.router, options.greeks_router]


def web_routers() -> list[APIRouter]:
    """The SPA's session routes: accounts, admin, logs, trading, market data, watchlists."""
    from backend.api.web import (
        actioncenter,
        admin,
        apikey,
        auth,
        broker_login,
        logs,
        master_contract,
        options,
        strategies,
        telegram,
        trading,
        watchlists,
    )

    return [auth.router, apikey.router, admin.router, logs.router, trading.router, trading.market,
            watchlists.router, master_contract.router, broker_login.router, broker_login.callback_router,
            actioncenter.router, strategies.router, telegram.router, options.router]


def mount_routes(app: FastAPI) -> None:
    app.include_router(health.router)
    for router in api_v1_routers():
        app.include_router(router, prefix=API_V1)
    for router in web_routers():
        app.include_router(router)
    from backend.api import webhooks  # issue 12: public strategy webhooks

    app.include_router(webhooks.router)
    # --- the React SPA: keep LAST, it answers every other GET ---
    from backend.api.spa import spa_router

    app.include_router(spa_router())
