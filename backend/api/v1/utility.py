"""ping and the analyzer switch (api-v1 §4.24, §4.25, §4.27)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import BaseModel, StrictBool, field_validator

from backend.api.v1.context import authorize
from backend.api.v1.fields import STRICT, ApiKey
from backend.api.v1.responses import RATE_LIMITED, ErrorResponse, documented
from backend.api.v1.responses_data import AnalyzerResponse, PingResponse
from backend.api.v1.routing import V1Router
from backend.api.v1.schemas import ApiKeyOnly
from backend.domains.accounts.auth import authenticate_api_key
from backend.domains.trading.service import get_profile, set_analyze_mode

router = V1Router("object", tags=["utility"])
analyzer_router = V1Router("repr", tags=["analyzer"])

TRUTHY = {"true", "yes", "on", "1", "t", "y"}
FALSY = {"false", "no", "off", "0", "f", "n"}


class AnalyzerToggleRequest(BaseModel):
    model_config = STRICT
    apikey: ApiKey
    mode: StrictBool

    @field_validator("mode", mode="before")
    @classmethod
    def _boolean(cls, value: Any) -> Any:
        """marshmallow's truthy/falsy sets (api-v1 §1.7)."""
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower() if isinstance(value, (str, int)) else None
        if text in TRUTHY:
            return True
        if text in FALSY:
            return False
        raise ValueError("Not a valid boolean.")


async def analyzer_state(request: Request, user_id: int, analyze: bool) -> dict[str, Any]:
    return {"mode": "analyze" if analyze else "live", "analyze_mode": analyze,
            "total_logs": await request.app.state.analyzer_log_count(user_id)}


@router.post("/ping", responses=documented(PingResponse, codes=RATE_LIMITED))
async def ping(body: ApiKeyOnly, request: Request) -> dict[str, Any]:
    caller = await authorize(request, body.apikey)
    return {"status": "success", "data": {"message": "pong", "broker": caller.gateway.broker}}


@analyzer_router.post("/analyzer", responses=documented(AnalyzerResponse, ErrorResponse, codes=RATE_LIMITED))
async def analyzer_status(body: ApiKeyOnly, request: Request) -> dict[str, Any]:
    user = await authenticate_api_key(request, body.apikey)
    async with request.app.state.db.sessions() as session:
        profile = await get_profile(session, user.id, request.app.state.gateways.default_broker)
    return {"status": "success", "data": await analyzer_state(request, user.id, profile.analyze_mode)}


@analyzer_router.post("/analyzer/toggle", responses=documented(AnalyzerResponse, ErrorResponse, codes=RATE_LIMITED))
async def analyzer_toggle(body: AnalyzerToggleRequest, request: Request) -> dict[str, Any]:
    user = await authenticate_api_key(request, body.apikey)
    async with request.app.state.db.sessions() as session:
        profile = await set_analyze_mode(session, user.id, body.mode, request.app.state.gateways.default_broker)
        await session.commit()
    request.app.state.gateways.forget(user.id)
    data = await analyzer_state(request, user.id, profile.analyze_mode)
    data["message"] = f"Analyzer mode switched to {data['mode']}"
    return {"status": "success", "data": data}
