"""Routers for the OpenAlgo-compatible API: per-endpoint validation-error shape and trailing slashes.

OpenAlgo accepts `/placeorder` and `/placeorder/` alike and renders validation errors in one of
four shapes depending on the endpoint family (api-v1 §1.5); each router here declares its family.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.routing import APIRoute

from backend.core.ratelimit import rate_limit

ErrorStyle = Literal["repr", "object", "options", "greeks"]


def _route_class(style: ErrorStyle) -> type[APIRoute]:
    return type(f"OpenAlgoRoute_{style}", (APIRoute,), {"error_style": style})


class V1Router(APIRouter):
    """An APIRouter whose routes also answer with a trailing slash (hidden from the schema) and are
    rate limited per endpoint: `limits` maps a path to a limit name (default `api`, see
    backend/core/ratelimit.py), as OpenAlgo's ORDER/SMART_ORDER/API limits do."""

    def __init__(self, style: ErrorStyle, limits: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(route_class=_route_class(style), **kwargs)
        self.limits = limits or {}

    def add_api_route(self, path: str, endpoint, **kwargs: Any) -> None:  # type: ignore[override]
        limit = rate_limit(self.limits.get(path, "api"))
        kwargs["dependencies"] = [*(kwargs.get("dependencies") or []), limit]
        super().add_api_route(path, endpoint, **kwargs)
        if not path.endswith("/") and "{" not in path:
            hidden = {**kwargs, "include_in_schema": False, "operation_id": None}
            super().add_api_route(path + "/", endpoint, **hidden)
