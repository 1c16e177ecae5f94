"""What happens when a simulated GTT's trigger is reached: claim it, place its child order
through the owner's paper execution, record the child's id, and tell the owner's screens.

A simulated GTT only ever produces a paper order: if its owner has since turned analyzer mode off
(their gateway now executes live), the child still goes to the paper engine, never to a broker."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from backend.core.errors import AppError
from backend.domains.accounts.models import User
from backend.domains.accounts.schemas import AuthenticatedUser
from backend.domains.gtt.book import ArmedGtt, GttBook
from backend.domains.gtt.spec import legs_from_json
from backend.domains.trading.execution import PaperExecution
from brokers.contract import Exchange, OrderRequest, PriceType

log = logging.getLogger("algogate.gtt")


async def user_of(db, user_id: int) -> AuthenticatedUser | None:
    async with db.sessions() as session:
        row = await session.scalar(select(User).where(User.id == user_id))
    return None if row is None else AuthenticatedUser(row.id, row.username, bool(row.is_admin))


async def paper_gateway(app, user: AuthenticatedUser):
    """(gateway, paper execution) of `user`: their own execution when it is paper, else a paper
    one over their gateway's market data."""
    gateway = await app.state.gateways.for_user(user)
    execution = gateway.execution
    if not isinstance(execution, PaperExecution):
        execution = PaperExecution(app.state.sandbox, user.id, gateway.data, analyze=True)
    return gateway, execution


class GttFiring:
    def __init__(self, app, book: GttBook) -> None:
        self.app = app
        self.book = book

    async def __call__(self, gtt: ArmedGtt, leg_index: int) -> None:
        row = await self.book.claim(gtt, leg_index)
        if row is None:
            return  # fired, cancelled or modified by someone else first
        user = await user_of(self.app.state.db, row.user_id)
        try:
            if user is None:
                raise LookupError("owner gone")
            gateway, execution = await paper_gateway(self.app, user)
        except Exception:  # no usable gateway right now (e.g. broker login expired): try again later
            log.warning("GTT %s: cannot reach its owner's gateway; re-armed", row.trigger_id, exc_info=True)
            await self.book.release(row.id)
            return
        _side, leg, _status = legs_from_json(row.legs)[leg_index]
        instrument = gateway.symbols.get(row.exchange, row.symbol)
        request = OrderRequest(symbol=row.symbol, exchange=Exchange(row.exchange), action=leg.action,
                               quantity=leg.quantity, pricetype=leg.pricetype, product=leg.product,
                               price=leg.price if leg.pricetype == PriceType.LIMIT else Decimal(0),
                               strategy=row.strategy or "GTT")
        try:
            if instrument is None:
                raise AppError(f"Symbol '{row.symbol}' is no longer in the {row.exchange} master contract", 400)
            placed = await execution.place_order(request, instrument)
        except AppError as exc:  # refused by the paper engine (funds, band…): never retried blindly
            await self.book.reject(row.id, str(exc.message))
            await self._tell(user.username, row, "rejected", "", execution.analyze)
            return
        await self.book.record_child(row.id, placed["orderid"])
        await self._tell(user.username, row, "triggered", placed["orderid"], execution.analyze)

    async def _tell(self, username: str, row: Any, event: str, orderid: str, analyze: bool) -> None:
        """OpenAlgo's `gtt_event` (the child's own `order_update` comes from the paper engine)."""
        hub = getattr(self.app.state, "hub", None)
        if hub is None:
            return
        try:
            await hub.publish_user_event(username, "gtt_event", {
                "event": event, "symbol": row.symbol, "exchange": row.exchange, "trigger_id": row.trigger_id,
                "triggered_order_id": orderid, "mode": "analyze" if analyze else "live"})
        except Exception:
            log.warning("cannot publish the GTT event of %s", row.trigger_id, exc_info=True)
