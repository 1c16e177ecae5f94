"""The SPA's Action Center: the order mode switch, the pending queue and its decisions
(session + CSRF; every query is scoped to the signed-in user)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from backend.api.deps import SessionDep, WebUser
from backend.api.v1.fields import STRICT
from backend.domains.automation.order_mode import set_order_mode

router = APIRouter(prefix="/web/action-center", tags=["web action center"])

StatusFilter = Literal["pending", "approved", "rejected", "expired", "failed", "all"]


class ModeBody(BaseModel):
    model_config = STRICT
    mode: Literal["auto", "semi_auto"]


class RejectBody(BaseModel):
    model_config = STRICT
    reason: Annotated[str, Field(max_length=500)] = ""


def center(request: Request):
    return request.app.state.action_center


@router.put("/mode")
async def change_mode(body: ModeBody, request: Request, caller: WebUser, session: SessionDep) -> dict[str, Any]:
    gateways = request.app.state.gateways
    await set_order_mode(session, caller.id, body.mode, gateways.default_broker)
    await session.commit()
    gateways.forget(caller.id)
    return {"status": "success", "data": {"order_mode": body.mode}}


@router.get("/orders")
async def list_orders(request: Request, caller: WebUser,
                      status: Annotated[StatusFilter, Query()] = "pending") -> dict[str, Any]:
    return {"status": "success", "data": await center(request).list(caller.id, status)}


@router.get("/count")
async def pending_count(request: Request, caller: WebUser) -> dict[str, Any]:
    return {"status": "success", "count": await center(request).count(caller.id)}


@router.post("/orders/{order_id}/approve")
async def approve(order_id: int, request: Request, caller: WebUser) -> JSONResponse:
    status, body = await center(request).approve(caller, order_id)
    return JSONResponse(body, status_code=status)


@router.post("/orders/{order_id}/reject")
async def reject(order_id: int, request: Request, caller: WebUser, body: RejectBody | None = None) -> dict[str, Any]:
    await center(request).reject(caller, order_id, body.reason if body else None)
    return {"status": "success", "message": "Order rejected successfully"}


@router.post("/approve-all")
async def approve_all(request: Request, caller: WebUser) -> dict[str, Any]:
    return await center(request).approve_all(caller)


@router.post("/reject-all")
async def reject_all(request: Request, caller: WebUser, body: RejectBody | None = None) -> dict[str, Any]:
    return await center(request).reject_all(caller, body.reason if body else None)
