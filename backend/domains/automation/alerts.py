"""Receiving one webhook delivery: find the strategy, parse, de-duplicate, check the intraday
window, place the order (semi-auto still applies: it is an API-key call), and log the outcome.

Every delivery that reaches a strategy is logged, including malformed and refused ones; an
unknown webhook id is answered 404 without touching the log (there is no owner to show it to)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from backend.core.clock import utcnow
from backend.core.db import Database, upsert_insert
from backend.domains.automation.action_center import Execute
from backend.domains.automation.models import Strategy, StrategyLog, StrategySymbol, WebhookDelivery
from backend.domains.automation.signals import (
    Alert,
    MalformedAlert,
    Refused,
    is_entry,
    normalise,
    order_for,
    parse,
)

NOT_FOUND = (404, {"status": "error", "message": "Not found"})


def window_refusal(strategy: Strategy, signal: str, now: datetime) -> str | None:
    """Intraday strategies take entries in [start, end) and exits in [start, squareoff); IST HH:MM."""
    if not strategy.is_intraday:
        return None
    hhmm = now.strftime("%H:%M")
    start = strategy.start_time or "00:00"
    close = (strategy.end_time if is_entry(signal) else strategy.squareoff_time) or "23:59"
    if start <= hhmm < close:
        return None
    kind = "Entry" if is_entry(signal) else "Exit"
    return f"{kind} signal at {hhmm} IST is outside the strategy's trading window ({start}–{close})"


def outcome_of(status: int, body: dict[str, Any]) -> str:
    if "pending_order_id" in body:
        return "queued"
    return "executed" if status < 400 and body.get("status") != "error" else "error"


class AlertProcessor:
    def __init__(self, db: Database, execute: Execute, clock: Callable[[], datetime], dedupe_seconds: int) -> None:
        self.db = db
        self.execute = execute
        self.clock = clock  # IST now; replaceable so tests and the square-off share one controllable time
        self.dedupe_seconds = dedupe_seconds

    async def _log(self, strategy_id: int, outcome: str, message: str, payload: str, alert: Alert | None = None,
                   response: Any = "") -> None:
        async with self.db.sessions() as session:
            session.add(StrategyLog(
                strategy_id=strategy_id, created_at=utcnow(), outcome=outcome, message=message[:2000],
                payload=payload[:4000], signal=alert.signal if alert else "", symbol=alert.symbol if alert else "",
                response=response if isinstance(response, str) else json.dumps(response, default=str)[:4000]))
            await session.commit()

    async def record(self, strategy_id: int, outcome: str, message: str, symbol: str, response: Any) -> None:
        """A log line not caused by an alert (the square-off job)."""
        await self._log(strategy_id, outcome, message, "", Alert(symbol, "SQUAREOFF"), response)

    async def _first_delivery(self, strategy_id: int, raw: bytes) -> bool:
        """One upsert decides: a new row, or an expired one taken over, means this delivery is new."""
        digest = hashlib.sha256(raw).hexdigest()
        now = utcnow()
        async with self.db.sessions() as session:
            insert = upsert_insert(self.db.dialect)
            statement = insert(WebhookDelivery).values(
                strategy_id=strategy_id, body_hash=digest, expires_at=now + timedelta(seconds=self.dedupe_seconds))
            statement = statement.on_conflict_do_update(
                index_elements=["strategy_id", "body_hash"], set_={"expires_at": statement.excluded.expires_at},
                where=WebhookDelivery.expires_at <= now)
            result = await session.execute(statement)
            await session.commit()
        return result.rowcount == 1

    async def handle(self, webhook_id: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        async with self.db.sessions() as session:
            strategy = await session.scalar(select(Strategy).where(Strategy.webhook_id == webhook_id))
            if strategy is None:
                return NOT_FOUND
            mappings = {m.alert_symbol.upper(): m for m in (await session.scalars(
                select(StrategySymbol).where(StrategySymbol.strategy_id == strategy.id))).all()}
        text = raw.decode("utf-8", errors="replace")
        if not strategy.is_active:
            await self._log(strategy.id, "rejected", "Strategy is inactive", text)
            return 400, {"status": "error", "message": "Strategy is inactive"}
        try:
            alerts = parse(json.loads(raw))
        except (ValueError, MalformedAlert) as exc:
            message = str(exc) if isinstance(exc, MalformedAlert) else "Invalid JSON"
            await self._log(strategy.id, "malformed", message, text)
            return 400, {"status": "error", "message": f"Malformed alert: {message}"}
        if not await self._first_delivery(strategy.id, raw):
            await self._log(strategy.id, "duplicate", "Duplicate delivery ignored", text)
            return 200, {"status": "success", "message": "Duplicate alert ignored"}
        results = [await self._one(strategy, mappings, alert, text) for alert in alerts]
        if all(r["outcome"] == "rejected" for r in results):
            return 400, {"status": "error", "message": results[0]["message"], "results": results}
        return 200, {"status": "success", "message": "Alert processed", "results": results}

    async def _one(self, strategy: Strategy, mappings: dict[str, StrategySymbol], alert: Alert,
                   text: str) -> dict[str, Any]:
        def result(outcome: str, message: str, response: Any = None) -> dict[str, Any]:
            return {"symbol": alert.symbol, "signal": alert.signal, "outcome": outcome, "message": message,
                    **({"response": response} if response is not None else {})}

        mapping = mappings.get(alert.symbol)
        try:
            if mapping is None:
                raise Refused(f"Symbol {alert.symbol} is not mapped in this strategy")
            reason = window_refusal(strategy, normalise(alert.signal, strategy.trading_mode), self.clock())
            if reason:
                raise Refused(reason)
            api_type, data = order_for(strategy, mapping, alert)
        except Refused as exc:
            await self._log(strategy.id, "rejected", str(exc), text, alert)
            return result("rejected", str(exc))
        status, body = await self.execute(strategy.user_id, api_type, data)
        outcome = outcome_of(status, body)
        message = body.get("message") or f"{api_type} {body.get('status', '')}".strip()
        await self._log(strategy.id, outcome, f"{api_type}: {message}", text, alert, body)
        return result(outcome, message, body)
