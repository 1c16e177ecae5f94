"""The SPA's strategies: CRUD with symbol mappings, the webhook URL, and the per-strategy log
(session + CSRF; scoped to the signed-in user)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, StringConstraints, model_validator

from backend.api.deps import SessionDep, WebUser
from backend.api.v1.fields import STRICT
from backend.core.errors import AppError
from backend.domains.automation import strategies as service

router = APIRouter(prefix="/web/strategies", tags=["web strategies"])

HHMM = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Product = Literal["MIS", "CNC", "NRML"]


class SymbolMapping(BaseModel):
    model_config = STRICT
    alert_symbol: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=1, max_length=64)]
    exchange: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=2, max_length=16)]
    symbol: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=1, max_length=64)]
    quantity: Annotated[int, Field(gt=0, le=10_000_000)]
    product: Product = "MIS"


class StrategyBody(BaseModel):
    model_config = STRICT
    name: Name
    platform: Literal["tradingview", "chartink", "amibroker"] = "tradingview"
    trading_mode: Literal["LONG", "SHORT", "BOTH"] = "LONG"
    is_intraday: bool = True
    start_time: HHMM | None = "09:15"
    end_time: HHMM | None = "15:00"
    squareoff_time: HHMM | None = "15:15"
    product: Product = "MIS"
    is_active: bool = True
    symbols: list[SymbolMapping] = []

    @model_validator(mode="after")
    def _window(self) -> StrategyBody:
        if self.is_intraday:
            times = [self.start_time, self.end_time, self.squareoff_time]
            if None in times:
                raise ValueError("intraday strategies need start, end and square-off times")
            if not times[0] < times[1] <= times[2]:
                raise ValueError("times must satisfy start < end <= square-off")
        if len({s.alert_symbol for s in self.symbols}) != len(self.symbols):
            raise ValueError("each alert symbol may be mapped once")
        return self


def check_symbols(request: Request, body: StrategyBody) -> list[dict[str, Any]]:
    """Mapped symbols must exist in the master contract: a typo is caught now, not at alert time."""
    lookup = request.app.state.symbols.get
    for item in body.symbols:
        if lookup(item.exchange, item.symbol) is None:
            raise AppError(f"Symbol '{item.symbol}' not found for exchange '{item.exchange}'", 400)
    return [item.model_dump() for item in body.symbols]


def fields_of(body: StrategyBody) -> dict[str, Any]:
    return body.model_dump(exclude={"symbols"})


def with_url(request: Request, view: dict[str, Any]) -> dict[str, Any]:
    base = request.app.state.settings.host_server.rstrip("/")
    path = "chartink" if view["platform"] == "chartink" else "strategy"
    return {**view, "webhook_url": f"{base}/{path}/webhook/{view['webhook_id']}"}


@router.get("")
async def list_strategies(request: Request, caller: WebUser, session: SessionDep) -> dict[str, Any]:
    return {"status": "success", "data": [with_url(request, v) for v in await service.list_strategies(session, caller.id)]}


@router.post("")
async def create_strategy(body: StrategyBody, request: Request, caller: WebUser, session: SessionDep) -> dict:
    symbols = check_symbols(request, body)
    created = await service.create(session, caller.id, fields_of(body), symbols)
    await session.commit()
    return {"status": "success", "data": with_url(request, created)}


@router.get("/{strategy_id}")
async def get_strategy(strategy_id: int, request: Request, caller: WebUser, session: SessionDep) -> dict[str, Any]:
    return {"status": "success", "data": with_url(request, await service.get(session, caller.id, strategy_id))}


@router.put("/{strategy_id}")
async def update_strategy(strategy_id: int, body: StrategyBody, request: Request, caller: WebUser,
                          session: SessionDep) -> dict[str, Any]:
    symbols = check_symbols(request, body)
    updated = await service.update(session, caller.id, strategy_id, fields_of(body), symbols)
    await session.commit()
    return {"status": "success", "data": with_url(request, updated)}


@router.delete("/{strategy_id}")
async def delete_strategy(strategy_id: int, caller: WebUser, session: SessionDep) -> dict[str, Any]:
    await service.remove(session, caller.id, strategy_id)
    await session.commit()
    return {"status": "success", "data": {}}


@router.get("/{strategy_id}/logs")
async def strategy_logs(strategy_id: int, caller: WebUser, session: SessionDep) -> dict[str, Any]:
    return {"status": "success", "data": await service.logs(session, caller.id, strategy_id)}
