"""Intraday square-off: at a strategy's square-off time its mapped positions are closed (smart
order to position size 0, which also does nothing when already flat).

Each strategy is claimed for the IST day with one conditional UPDATE, so with several workers
running the job (or a restart re-running it) a strategy is squared off once a day."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import or_, select, update

from backend.core.db import Database
from backend.domains.automation.action_center import Execute
from backend.domains.automation.alerts import AlertProcessor
from backend.domains.automation.models import Strategy, StrategySymbol
from backend.domains.automation.semi_auto import bypassing_queue

log = logging.getLogger("algogate.automation")


async def square_off_due(db: Database, execute: Execute, alerts: AlertProcessor, now: datetime) -> list[int]:
    """Square off every active intraday strategy whose time has come today; returns their ids."""
    today, hhmm = now.date(), now.strftime("%H:%M")
    not_today = or_(Strategy.last_squareoff_on.is_(None), Strategy.last_squareoff_on != today)
    async with db.sessions() as session:
        due = (await session.scalars(select(Strategy).where(
            Strategy.is_active.is_(True), Strategy.is_intraday.is_(True), Strategy.squareoff_time.is_not(None),
            Strategy.squareoff_time <= hhmm, not_today))).all()
    done = []
    for strategy in due:
        async with db.sessions() as session:
            claimed = await session.execute(update(Strategy).where(Strategy.id == strategy.id, not_today)
                                            .values(last_squareoff_on=today))
            await session.commit()
            if claimed.rowcount != 1:
                continue  # another worker has it
            mappings = (await session.scalars(select(StrategySymbol).where(
                StrategySymbol.strategy_id == strategy.id))).all()
        for mapping in mappings:
            data = {"strategy": strategy.name, "exchange": mapping.exchange, "symbol": mapping.symbol,
                    "action": "SELL", "quantity": "0", "position_size": "0", "pricetype": "MARKET",
                    "product": mapping.product or strategy.product}
            # An exit that reduces risk: never held for approval (like closeposition).
            with bypassing_queue():
                status, body = await execute(strategy.user_id, "placesmartorder", data)
            outcome = "squareoff" if status < 400 and body.get("status") != "error" else "error"
            await alerts.record(strategy.id, outcome, f"Square-off at {hhmm} IST: {body.get('message', '')}".strip(),
                                mapping.symbol, body)
        done.append(strategy.id)
    return done
