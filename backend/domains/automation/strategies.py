"""Strategy records and their symbol mappings, always scoped by the owner's user id."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.clock import to_ist
from backend.core.errors import NotFoundError
from backend.domains.automation.models import Strategy, StrategyLog, StrategySymbol

PLATFORMS = ("tradingview", "chartink", "amibroker")
TRADING_MODES = ("LONG", "SHORT", "BOTH")
FIELDS = ("name", "platform", "trading_mode", "is_intraday", "start_time", "end_time", "squareoff_time", "product",
          "is_active")


def new_webhook_id() -> str:
    return secrets.token_urlsafe(24)  # 192 random bits: unguessable, URL-safe


def symbol_view(row: StrategySymbol) -> dict[str, Any]:
    return {"id": row.id, "alert_symbol": row.alert_symbol, "exchange": row.exchange, "symbol": row.symbol,
            "quantity": row.quantity, "product": row.product}


def strategy_view(row: Strategy, symbols: list[StrategySymbol] | None = None) -> dict[str, Any]:
    view = {name: getattr(row, name) for name in FIELDS}
    view.update(id=row.id, webhook_id=row.webhook_id, created_at=to_ist(row.created_at).isoformat())
    if symbols is not None:
        view["symbols"] = [symbol_view(s) for s in symbols]
    return view


async def owned(session: AsyncSession, user_id: int, strategy_id: int) -> Strategy:
    row = await session.scalar(select(Strategy).where(Strategy.id == strategy_id, Strategy.user_id == user_id))
    if row is None:
        raise NotFoundError("Strategy not found")
    return row


async def symbols_of(session: AsyncSession, strategy_id: int) -> list[StrategySymbol]:
    return list((await session.scalars(select(StrategySymbol).where(StrategySymbol.strategy_id == strategy_id)
                                       .order_by(StrategySymbol.id))).all())


async def list_strategies(session: AsyncSession, user_id: int) -> list[dict[str, Any]]:
    rows = (await session.scalars(select(Strategy).where(Strategy.user_id == user_id).order_by(Strategy.id))).all()
    return [strategy_view(row) for row in rows]


async def get(session: AsyncSession, user_id: int, strategy_id: int) -> dict[str, Any]:
    row = await owned(session, user_id, strategy_id)
    return strategy_view(row, await symbols_of(session, row.id))


async def _replace_symbols(session: AsyncSession, strategy_id: int, symbols: list[dict[str, Any]]) -> None:
    await session.execute(delete(StrategySymbol).where(StrategySymbol.strategy_id == strategy_id))
    for item in symbols:
        session.add(StrategySymbol(strategy_id=strategy_id, **item))
    await session.flush()


async def create(session: AsyncSession, user_id: int, fields: dict[str, Any],
                 symbols: list[dict[str, Any]]) -> dict[str, Any]:
    row = Strategy(user_id=user_id, webhook_id=new_webhook_id(), **fields)
    session.add(row)
    await session.flush()
    await _replace_symbols(session, row.id, symbols)
    return strategy_view(row, await symbols_of(session, row.id))


async def update(session: AsyncSession, user_id: int, strategy_id: int, fields: dict[str, Any],
                 symbols: list[dict[str, Any]] | None) -> dict[str, Any]:
    row = await owned(session, user_id, strategy_id)
    for name, value in fields.items():
        setattr(row, name, value)
    if symbols is not None:
        await _replace_symbols(session, row.id, symbols)
    await session.flush()
    return strategy_view(row, await symbols_of(session, row.id))


async def remove(session: AsyncSession, user_id: int, strategy_id: int) -> None:
    row = await owned(session, user_id, strategy_id)
    await session.delete(row)


async def logs(session: AsyncSession, user_id: int, strategy_id: int, limit: int = 200) -> list[dict[str, Any]]:
    await owned(session, user_id, strategy_id)
    rows = (await session.scalars(select(StrategyLog).where(StrategyLog.strategy_id == strategy_id)
                                  .order_by(StrategyLog.id.desc()).limit(limit))).all()
    return [{"id": r.id, "created_at": to_ist(r.created_at).isoformat(), "signal": r.signal, "symbol": r.symbol,
             "outcome": r.outcome, "message": r.message, "payload": r.payload, "response": r.response}
            for r in rows]
