"""Public strategy webhooks (OpenAlgo's paths): TradingView/Amibroker JSON at
`/strategy/webhook/<id>`, Chartink scans at `/chartink/webhook/<id>` (either path accepts either
format). No session and no CSRF: the unguessable id is the credential, as in OpenAlgo. Rate
limited per client IP (`WEBHOOK_RATE_LIMIT`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from backend.core.ratelimit import rate_limit

router = APIRouter(tags=["webhooks"], dependencies=[rate_limit("webhook")])


async def receive(webhook_id: str, request: Request) -> JSONResponse:
    status, body = await request.app.state.automation.alerts.handle(webhook_id, await request.body())
    return JSONResponse(body, status_code=status)


@router.post("/strategy/webhook/{webhook_id}")
async def strategy_webhook(webhook_id: str, request: Request) -> JSONResponse:
    return await receive(webhook_id, request)


@router.post("/chartink/webhook/{webhook_id}")
async def chartink_webhook(webhook_id: str, request: Request) -> JSONResponse:
    return await receive(webhook_id, request)
