"""Routers for the OpenAlgo-compatible API: per-endpoint validation-error shape, rate limits and
trailing slashes.

OpenAlgo accepts `/placeorder` and `/placeorder/` alike and renders validation errors in one of
four shapes depending on the endpoint family (api-v1 §1.5); each router here declares its family.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from backend.core.ratelimit import rate_limit

ErrorStyle = Literal["repr", "object", "options", "greeks"]


def _route_class(style: ErrorStyle) -> type[APIRoute]:
    return type(f"OpenAlgoRoute_{style}", (APIRoute,), {"error_style": style})


class TrailingSlashMiddleware:
    """`/api/v1/placeorder/` is served as `/api/v1/placeorder`, as OpenAlgo accepts both. Rewriting
    the path once is cheaper than registering every route twice (route matching is a linear scan)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if len(path) > 8 and path.endswith("/") and path.startswith("/api/v1/"):
                scope = {**scope, "path": path.rstrip("/"), "raw_path": path.rstrip("/").encode()}
        await self.app(scope, receive, send)


class V1Router(APIRouter):
    """An APIRouter whose routes are rate limited per endpoint: `limits` maps a path to a limit
    name (default `api`, see backend/core/ratelimit.py), as OpenAlgo's ORDER/SMART_ORDER/API
    limits do."""

    def __init__(self, style: ErrorStyle, limits: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(route_class=_route_class(style), **kwargs)
        self.limits = limits or {}

    def add_api_route(self, path: str, endpoint, **kwargs: Any) -> None:  # type: ignore[override]
        limit = rate_limit(self.limits.get(path, "api"))
        kwargs["dependencies"] = [*(kwargs.get("dependencies") or []), limit]
        # Handlers return OpenAlgo's exact bodies; documented shapes come from `responses=`. Without
        # this FastAPI would validate every body against the `-> dict` annotation on the hot path.
        kwargs["response_model"] = None
        super().add_api_route(path, endpoint, **kwargs)
