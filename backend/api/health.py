"""Liveness and readiness."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel

from backend.core.responses import FastJSONResponse

router = APIRouter(tags=["health"])


class Liveness(BaseModel):
    status: Literal["ok"]
    version: str


class Component(BaseModel):
    status: Literal["ok", "error"]
    detail: dict[str, object] | str | None = None


class Readiness(BaseModel):
    status: Literal["ok", "error"]
    components: dict[str, Component]


@router.get("/health", response_model=Liveness)
async def liveness(request: Request) -> dict[str, str]:
    return {"status": "ok", "version": request.app.version}


@router.get("/health/ready", response_model=Readiness, responses={503: {"model": Readiness}})
async def readiness(request: Request) -> FastJSONResponse:
    state = request.app.state
    components: dict[str, dict[str, object]] = {}
    try:
        await asyncio.wait_for(state.db.ping(), timeout=2.0)
        components["database"] = {"status": "ok", "detail": state.db.dialect}
    except Exception as exc:  # readiness reports, never raises
        components["database"] = {"status": "error", "detail": type(exc).__name__}
    broker = state.brokers.health()
    components["broker"] = {"status": broker.pop("status"), "detail": broker}
    hub = state.hub.health()
    components["hub"] = {"status": hub.pop("status"), "detail": hub or None}
    healthy = all(c["status"] == "ok" for c in components.values())
    body = {"status": "ok" if healthy else "error", "components": components}
    return FastJSONResponse(body, status_code=200 if healthy else 503)
