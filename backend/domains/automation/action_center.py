"""The Action Center: semi-auto orders wait here until their owner approves or rejects them.

Exactly-once execution: approval first *claims* the row with a conditional UPDATE (`... WHERE
status = 'pending'`) and commits; only the caller whose UPDATE changed the row executes. Two
clicks, two tabs or two workers therefore run the order once; the loser gets 409."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from backend.core.clock import to_ist, utcnow
from backend.core.db import Database
from backend.core.errors import ConflictError, NotFoundError
from backend.domains.automation.models import PendingOrder
from backend.domains.automation.semi_auto import bypassing_queue

# (user id, api type, request JSON) → (HTTP status, response body), run through the v1 handlers
Execute = Callable[[int, str, dict[str, Any]], Awaitable[tuple[int, dict[str, Any]]]]
Publish = Callable[[str, str, dict[str, Any]], None]  # (username, event, payload), fire-and-forget

STATUSES = ("pending", "approved", "rejected", "expired", "failed")


def summary(api_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """Display fields per api type (basket and multi-leg orders are summarised)."""
    if api_type == "basketorder":
        orders = data.get("orders") or []
        return {"symbol": f"Basket ({len(orders)} orders)", "exchange": "", "action": "", "quantity": None}
    if api_type in ("optionsorder", "optionsmultiorder"):
        legs = data.get("legs")
        label = f"{data.get('underlying', '')} ({len(legs)} legs)" if legs is not None else \
            f"{data.get('underlying', '')} {data.get('offset', '')} {data.get('option_type', '')}"
        return {"symbol": label.strip(), "exchange": data.get("exchange", ""), "action": data.get("action", ""),
                "quantity": data.get("quantity")}
    return {"symbol": data.get("symbol", ""), "exchange": data.get("exchange", ""),
            "action": data.get("action", ""), "quantity": data.get("quantity")}


def order_ids(body: dict[str, Any]) -> str:
    """The broker order id(s) an execution produced, ≤255 characters as OpenAlgo stores them."""
    if body.get("orderid") or body.get("trigger_id"):  # an order, or a GTT's trigger
        return str(body.get("orderid") or body["trigger_id"])
    ids = [str(item["orderid"]) for item in body.get("results") or [] if isinstance(item, dict) and item.get("orderid")]
    joined = ",".join(ids)
    return joined if len(joined) <= 255 else f"{ids[0]} (+{len(ids) - 1} more)"


def row_view(row: PendingOrder) -> dict[str, Any]:
    data = json.loads(row.order_data)
    return {"id": row.id, "api_type": row.api_type, "status": row.status, "order_data": data,
            "strategy": data.get("strategy", ""), **summary(row.api_type, data),
            "created_at": to_ist(row.created_at).isoformat(),
            "decided_by": row.decided_by, "decided_at": to_ist(row.decided_at).isoformat() if row.decided_at else None,
            "reason": row.reason, "result": json.loads(row.result) if row.result else None}


class ActionCenter:
    def __init__(self, db: Database, execute: Execute, publish: Publish) -> None:
        self.db = db
        self.execute = execute
        self.publish = publish

    async def enqueue(self, user: Any, api_type: str, data: dict[str, Any]) -> int:
        async with self.db.sessions() as session:
            row = PendingOrder(user_id=user.id, api_type=api_type, order_data=json.dumps(data), status="pending",
                               created_at=utcnow())
            session.add(row)
            await session.commit()
            pending_id = row.id
        # Notification failures never affect the queued answer: it is published in the background.
        self.publish(user.username, "pending_order_created", {
            "pending_order_id": pending_id, "user_id": user.username, "api_type": api_type,
            "message": f"New {api_type} order queued for approval"})
        return pending_id

    async def list(self, user_id: int, status: str = "all", limit: int = 500) -> dict[str, Any]:
        async with self.db.sessions() as session:
            query = select(PendingOrder).where(PendingOrder.user_id == user_id)
            if status != "all":
                query = query.where(PendingOrder.status == status)
            rows = (await session.scalars(query.order_by(PendingOrder.id.desc()).limit(limit))).all()
            counts = dict((await session.execute(
                select(PendingOrder.status, func.count()).where(PendingOrder.user_id == user_id)
                .group_by(PendingOrder.status))).all())
        statistics = {f"total_{name}": counts.get(name, 0) for name in STATUSES}
        return {"orders": [row_view(row) for row in rows], "statistics": statistics}

    async def count(self, user_id: int) -> int:
        async with self.db.sessions() as session:
            return await session.scalar(select(func.count()).select_from(PendingOrder).where(
                PendingOrder.user_id == user_id, PendingOrder.status == "pending")) or 0

    async def _claim(self, user_id: int, order_id: int, status: str, by: str, reason: str | None = None) -> PendingOrder:
        """Move one pending row to `status`; 404 if it is not the user's, 409 if already decided."""
        async with self.db.sessions() as session:
            changed = await session.execute(
                update(PendingOrder)
                .where(PendingOrder.id == order_id, PendingOrder.user_id == user_id, PendingOrder.status == "pending")
                .values(status=status, decided_by=by, decided_at=utcnow(), reason=reason))
            await session.commit()
            row = await session.scalar(select(PendingOrder).where(PendingOrder.id == order_id,
                                                                  PendingOrder.user_id == user_id))
        if row is None:
            raise NotFoundError("Pending order not found")
        if changed.rowcount != 1:
            raise ConflictError(f"Order already {row.status}")
        return row

    async def approve(self, user: Any, order_id: int, *, notify: bool = True) -> tuple[int, dict[str, Any]]:
        """Claim, execute once through the normal routing, store the outcome."""
        row = await self._claim(user.id, order_id, "approved", user.username)
        with bypassing_queue():
            try:
                status, body = await self.execute(user.id, row.api_type, json.loads(row.order_data))
            except Exception as exc:  # the claim stands: record the failure, never run it again
                status, body = 500, {"status": "error", "message": f"Execution failed: {exc}"}
        ok = status < 400 and body.get("status") != "error"
        async with self.db.sessions() as session:
            await session.execute(update(PendingOrder).where(PendingOrder.id == order_id).values(
                status="approved" if ok else "failed", result=json.dumps(body, default=str)))
            await session.commit()
        if notify:
            self.publish(user.username, "pending_order_updated",
                         {"action": "approved", "order_id": order_id, "user_id": user.username})
        if ok:
            return 200, {"status": "success", "message": "Order approved and executed successfully",
                         "broker_order_id": order_ids(body), "result": body}
        return status, {"status": "warning", "message": "Order approved but execution failed",
                        "error": body.get("message", body)}

    async def reject(self, user: Any, order_id: int, reason: str | None = None, *, notify: bool = True) -> None:
        await self._claim(user.id, order_id, "rejected", user.username, reason or "No reason provided")
        if notify:
            self.publish(user.username, "pending_order_updated",
                         {"action": "rejected", "order_id": order_id, "user_id": user.username})

    async def pending_ids(self, user_id: int) -> list[int]:
        async with self.db.sessions() as session:
            return list((await session.scalars(select(PendingOrder.id).where(
                PendingOrder.user_id == user_id, PendingOrder.status == "pending")
                .order_by(PendingOrder.id.desc()))).all())

    async def approve_all(self, user: Any) -> dict[str, Any]:
        """Newest first, as OpenAlgo does; rows another approver claims meanwhile are skipped."""
        approved, failed = 0, []
        for order_id in await self.pending_ids(user.id):
            try:
                status, body = await self.approve(user, order_id, notify=False)
            except ConflictError:
                continue
            approved += 1
            if body["status"] != "success":
                failed.append({"order_id": order_id, "error": body.get("error")})
        if approved == 0:
            return {"status": "info", "message": "No pending orders to approve"}
        self.publish(user.username, "pending_order_updated",
                     {"action": "batch_approved", "user_id": user.username, "count": approved})
        return {"status": "success" if not failed else "warning",
                "message": f"Approved {approved} orders, {approved - len(failed)} executed",
                "approved_count": approved, "executed_count": approved - len(failed), "failed_executions": failed}

    async def reject_all(self, user: Any, reason: str | None = None) -> dict[str, Any]:
        async with self.db.sessions() as session:
            changed = await session.execute(
                update(PendingOrder).where(PendingOrder.user_id == user.id, PendingOrder.status == "pending")
                .values(status="rejected", decided_by=user.username, decided_at=utcnow(),
                        reason=reason or "No reason provided"))
            await session.commit()
        if changed.rowcount:
            self.publish(user.username, "pending_order_updated",
                         {"action": "batch_rejected", "user_id": user.username, "count": changed.rowcount})
        return {"status": "success", "message": f"Rejected {changed.rowcount} orders", "rejected_count": changed.rowcount}

    async def expire_before(self, cutoff: datetime) -> int:
        """End of day: pending rows created before `cutoff` (the current IST day's start) expire."""
        async with self.db.sessions() as session:
            changed = await session.execute(
                update(PendingOrder).where(PendingOrder.status == "pending", PendingOrder.created_at < cutoff)
                .values(status="expired", decided_by="system", decided_at=utcnow(), reason="Expired at end of day"))
            await session.commit()
        return changed.rowcount
