"""Where a caller's GTT calls go, by the same composition as orders: paper execution (the
simulator broker, or analyzer mode) → the simulated GTT book; a live broker whose plugin declares
`capabilities.gtt` and whose execution client is a `GttClient` → the broker; any other live broker
→ 501, as OpenAlgo answers for brokers without GTT support."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backend.core.clock import to_ist
from backend.core.errors import AppError
from backend.domains.gtt.book import GttBook
from backend.domains.gtt.spec import GttSpec
from backend.domains.trading.execution import PaperExecution
from brokers.contract import BrokerError, Gtt, GttClient, GttStatus, Instrument, OrderRequest, SessionExpired
from brokers.paper.model import ContractSpec
from brokers.paper.validation import Rejection, check_segment, check_terms, normalise

Body = dict[str, Any]


def _stamp(moment: datetime | None) -> str:
    return to_ist(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def gtt_item(gtt: Gtt) -> Body:
    """One `gttorderbook` entry (api-v1 §3.12): trigger prices ascending, legs in the same order."""
    request = gtt.request
    return {
        "trigger_id": gtt.trigger_id, "trigger_type": str(request.trigger_type), "status": str(gtt.status),
        "symbol": request.symbol, "exchange": str(request.exchange),
        "trigger_prices": [float(leg.trigger_price) for leg in request.legs],
        "last_price": float(request.last_price),
        "legs": [{"action": str(leg.action), "quantity": leg.quantity, "price": float(leg.price),
                  "pricetype": str(leg.pricetype), "product": str(leg.product)} for leg in request.legs],
        "created_at": _stamp(gtt.created_at), "updated_at": _stamp(gtt.updated_at),
        "expires_at": _stamp(request.expires_at),
    }


@dataclass(frozen=True)
class PaperGtt:
    book: GttBook
    user_id: int
    analyze: bool
    changed: Callable[[], None] = lambda: None  # tells the monitor to re-read the active set

    def _answer(self, trigger_id: str) -> Body:
        return {"status": "success", "trigger_id": trigger_id, **({"mode": "analyze"} if self.analyze else {})}

    async def _tagged(self, call) -> Body:
        try:
            trigger_id = await call
        except AppError as exc:
            if self.analyze:
                exc.extra.setdefault("mode", "analyze")
            raise
        self.changed()
        return self._answer(trigger_id)

    def _check_children(self, spec: GttSpec, instrument: Instrument) -> None:
        """Refuse now what the paper engine would refuse when the GTT fires (product for the
        segment, LIMIT without a price, lot size, tick size), as a broker validates a GTT's
        orders on placement. Funds and the price band are checked when it fires."""
        contract = ContractSpec.of(instrument)
        try:
            for leg in spec.request.legs:
                check_segment(contract, leg.product)
                check_terms(normalise(OrderRequest(
                    symbol=instrument.symbol, exchange=instrument.exchange, action=leg.action, quantity=leg.quantity,
                    pricetype=leg.pricetype, product=leg.product, price=leg.price)), contract)
        except Rejection as exc:
            raise AppError(exc.message, exc.status, **({"mode": "analyze"} if self.analyze else {})) from None

    async def place(self, spec: GttSpec, instrument: Instrument) -> Body:
        self._check_children(spec, instrument)
        return await self._tagged(self.book.place(self.user_id, spec))

    async def modify(self, trigger_id: str, spec: GttSpec, instrument: Instrument) -> Body:
        self._check_children(spec, instrument)
        return await self._tagged(self.book.modify(self.user_id, trigger_id, spec))

    async def cancel(self, trigger_id: str) -> Body:
        return await self._tagged(self.book.cancel(self.user_id, trigger_id))

    async def orderbook(self) -> Body:
        items = [gtt_item(gtt) for gtt in await self.book.active(self.user_id)]
        return {"status": "success", "data": items, **({"mode": "analyze"} if self.analyze else {})}


@dataclass(frozen=True)
class LiveGtt:
    broker: str
    client: GttClient

    async def _call(self, call):
        try:
            return await call
        except SessionExpired:
            raise  # the app's handler ends the broker session everywhere
        except BrokerError as exc:
            raise AppError(str(exc), exc.status) from None  # the broker's status passes through

    async def place(self, spec: GttSpec, instrument: Instrument) -> Body:
        return {"status": "success", "trigger_id": await self._call(self.client.place_gtt(spec.request))}

    async def modify(self, trigger_id: str, spec: GttSpec, instrument: Instrument) -> Body:
        return {"status": "success", "trigger_id": await self._call(self.client.modify_gtt(trigger_id, spec.request))}

    async def cancel(self, trigger_id: str) -> Body:
        return {"status": "success", "trigger_id": await self._call(self.client.cancel_gtt(trigger_id))}

    async def orderbook(self) -> Body:
        gtts = await self._call(self.client.gtts())
        return {"status": "success", "data": [gtt_item(g) for g in gtts if g.status == GttStatus.ACTIVE]}


def unsupported(broker: str) -> AppError:
    return AppError(f"GTT orders are not supported for broker '{broker}' yet", 501)


def gtt_desk(app, gateway) -> PaperGtt | LiveGtt:
    """The GTT service for this caller's gateway (raises 501 for live brokers without GTT)."""
    if isinstance(gateway.execution, PaperExecution):
        monitor = getattr(app.state, "gtt_monitor", None)
        return PaperGtt(app.state.gtt_book, gateway.user.id, gateway.analyze,
                        monitor.request_sync if monitor is not None else (lambda: None))
    plugin = app.state.brokers.plugins.get(gateway.broker)
    client = getattr(gateway.execution, "client", None)
    if plugin is not None and plugin.capabilities.gtt and isinstance(client, GttClient):
        return LiveGtt(gateway.broker, client)
    raise unsupported(gateway.broker)
