"""Every router of the app, mounted in one place. Each issue adds its routers in its own section."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from backend.api import health


def api_v1_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1")
    # --- API v1 (OpenAlgo-compatible) routers ---
    return router


def web_router() -> APIRouter:
    router = APIRouter()
    # --- SPA session routes (accounts, admin, logs) ---
    return router


def mount_routes(app: FastAPI) -> None:
    app.include_router(health.router)
    app.include_router(api_v1_router())
    app.include_router(web_router())
