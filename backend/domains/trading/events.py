"""Order updates are pushed, not polled: every paper-order state change becomes an `order_update`
event (realtime reference §1.6) delivered by the streaming hub to the owner's Socket.IO sockets
and to feed clients subscribed to order updates."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select

from backend.core.background import BackgroundTasks
from backend.core.db import Database
from backend.domains.accounts.models import User
from backend.domains.trading.service import get_profile
from brokers.contract import Order, OrderStatus
from brokers.paper.model import PaperOrder


def order_update(order: PaperOrder, username: str, analyze: bool, broker: str) -> dict[str, Any]:
    return {
        "type": "order_update", "user_id": username, "mode": "analyze" if analyze else "live",
        "broker": "sandbox" if analyze else broker, "orderid": order.orderid, "symbol": order.contract.symbol,
        "exchange": str(order.contract.exchange), "action": str(order.action), "quantity": order.quantity,
        "price": float(order.price), "trigger_price": float(order.trigger_price), "pricetype": str(order.pricetype),
        "product": str(order.product), "order_status": str(order.status), "filled_quantity": order.filled_quantity,
        "pending_quantity": order.quantity - order.filled_quantity if order.pending else 0,
        "average_price": float(order.average_price), "rejection_reason": order.reason,
    }


def live_order_update(order: Order, username: str, broker: str) -> dict[str, Any]:
    """The same event for an order a live broker acknowledged (its status as the broker reported it)."""
    request = order.request
    return {
        "type": "order_update", "user_id": username, "mode": "live", "broker": broker, "orderid": order.orderid,
        "symbol": request.symbol, "exchange": str(request.exchange), "action": str(request.action),
        "quantity": request.quantity, "price": float(request.price), "trigger_price": float(request.trigger_price),
        "pricetype": str(request.pricetype), "product": str(request.product), "order_status": str(order.status),
        "filled_quantity": order.filled_quantity,
        "pending_quantity": request.quantity - order.filled_quantity
        if order.status in (OrderStatus.OPEN, OrderStatus.TRIGGER_PENDING) else 0,
        "average_price": float(order.average_price), "rejection_reason": order.reason,
    }


PROFILE_TTL_SECONDS = 1.0


class OrderEventPublisher:
    """An engine listener: returns at once; the lookup and the publish run in the background."""

    def __init__(self, db: Database, hub, tasks: BackgroundTasks, default_broker: str) -> None:
        self.db = db
        self.hub = hub
        self.tasks = tasks
        self.default_broker = default_broker
        self._usernames: dict[int, str] = {}
        # (profile, read at): events only label the mode, so a second-old view is fine and spares
        # the database two reads per order under load.
        self._profiles: dict[int, tuple[object, float]] = {}

    def __call__(self, order: PaperOrder) -> None:
        self.tasks.spawn(self._publish(order), name=f"order_update {order.orderid}")

    async def _publish(self, order: PaperOrder) -> None:
        username = self._usernames.get(order.user_id)
        cached = self._profiles.get(order.user_id)
        profile = cached[0] if cached and time.monotonic() - cached[1] < PROFILE_TTL_SECONDS else None
        if username is None or profile is None:
            async with self.db.sessions() as session:
                if username is None:
                    username = await session.scalar(select(User.username).where(User.id == order.user_id)) or ""
                    self._usernames[order.user_id] = username
                profile = await get_profile(session, order.user_id, self.default_broker)
            self._profiles[order.user_id] = (profile, time.monotonic())
        payload = order_update(order, username, profile.analyze_mode, profile.broker)
        await self.hub.publish_order_update(username, payload)
        if profile.analyze_mode:
            await self.hub.publish_user_event(username, "analyzer_update", {"request": {}, "response": {}})
