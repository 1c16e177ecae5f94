"""The simulated GTT book's storage: place, replace, cancel and list one user's GTTs, and the
exactly-once firing claim.

Firing is claimed with one conditional UPDATE (`... WHERE status = 'active' AND version = v`):
only the caller whose UPDATE changed the row places the child order, so two ticks, a tick and a
sweep, or two workers fire a GTT once. A modify bumps `version`, so a claim computed from the
old triggers loses and the new ones are evaluated on the next price."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from backend.core.clock import to_ist, utcnow
from backend.core.db import Database
from backend.core.errors import AppError, NotFoundError
from backend.domains.gtt.models import GttOrder
from backend.domains.gtt.spec import GttSpec, Side, from_e4, legs_from_json, mark_fired, to_e4, unmark
from brokers.contract import Exchange, Gtt, GttRequest, GttStatus, GttTriggerType

ACTIVE = GttStatus.ACTIVE.value
DEFAULT_LIFETIME = timedelta(days=365)  # OpenAlgo's sandbox default; brokers use about a year too


@dataclass(frozen=True)
class ArmedGtt:
    """An active GTT as the monitor evaluates it, without touching the database."""

    id: int
    user_id: int
    trigger_id: str
    exchange: str
    symbol: str
    version: int
    triggers: tuple[tuple[Side, Decimal], ...]

    @property
    def key(self) -> str:
        return f"{self.exchange}:{self.symbol}"


def armed_of(row: GttOrder) -> ArmedGtt:
    legs = legs_from_json(row.legs)
    return ArmedGtt(row.id, row.user_id, row.trigger_id, row.exchange, row.symbol, row.version,
                    tuple((side, leg.trigger_price) for side, leg, _ in legs))


def gtt_of(row: GttOrder) -> Gtt:
    legs = tuple(leg for _, leg, _ in legs_from_json(row.legs))
    request = GttRequest(symbol=row.symbol, exchange=Exchange(row.exchange),
                         trigger_type=GttTriggerType(row.trigger_type), legs=legs,
                         last_price=from_e4(row.last_price_e4), strategy=row.strategy, expires_at=row.expires_at)
    return Gtt(row.trigger_id, request, GttStatus(row.status), row.created_at, row.updated_at)


def new_trigger_id(now: datetime) -> str:
    """14 digits, `YYMMDD` (IST) + 8 random, shaped like the sandbox's order ids."""
    return f"{to_ist(now):%y%m%d}{secrets.randbelow(10**8):08d}"


class GttBook:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock

    async def place(self, user_id: int, spec: GttSpec) -> str:
        now = self.clock()
        for _attempt in range(5):  # a random id collides about once in 10^8 per day: retry
            row = GttOrder(trigger_id=new_trigger_id(now), user_id=user_id, created_at=now, status=ACTIVE,
                           expires_at=spec.request.expires_at or now + DEFAULT_LIFETIME, symbol=spec.request.symbol,
                           exchange=str(spec.request.exchange), trigger_type=str(spec.request.trigger_type),
                           **self._values(spec))
            try:
                async with self.db.sessions() as session:
                    session.add(row)
                    await session.commit()
                return row.trigger_id
            except IntegrityError:
                continue
        raise AppError("Failed to place GTT due to internal error", 500)

    @staticmethod
    def _values(spec: GttSpec) -> dict:
        below, above = spec.trigger_on("below"), spec.trigger_on("above")
        return {"strategy": spec.request.strategy, "legs": spec.legs_json(),
                "trigger_below_e4": None if below is None else to_e4(below),
                "trigger_above_e4": None if above is None else to_e4(above),
                "last_price_e4": to_e4(spec.request.last_price)}

    async def _owned(self, session, user_id: int, trigger_id: str) -> GttOrder:
        row = await session.scalar(select(GttOrder).where(GttOrder.trigger_id == trigger_id,
                                                          GttOrder.user_id == user_id))
        if row is None:
            raise NotFoundError(f"GTT order {trigger_id} not found")
        return row

    @staticmethod
    def _not_active(row: GttOrder) -> AppError:
        return AppError(f"GTT order {row.trigger_id} is not active (status: {row.status})", 400)

    async def modify(self, user_id: int, trigger_id: str, spec: GttSpec) -> str:
        async with self.db.sessions() as session:
            row = await self._owned(session, user_id, trigger_id)
            if (row.symbol, row.exchange, row.trigger_type) != (
                    spec.request.symbol, str(spec.request.exchange), str(spec.request.trigger_type)):
                raise AppError("The symbol, exchange and trigger_type of a GTT cannot change; cancel it and "
                               "place a new one.", 400)
            changed = await session.execute(
                update(GttOrder).where(GttOrder.id == row.id, GttOrder.status == ACTIVE)
                .values(**self._values(spec), version=GttOrder.version + 1, updated_at=self.clock()))
            if changed.rowcount != 1:
                await session.refresh(row)
                raise self._not_active(row)
            await session.commit()
        return trigger_id

    async def cancel(self, user_id: int, trigger_id: str) -> str:
        async with self.db.sessions() as session:
            row = await self._owned(session, user_id, trigger_id)
            changed = await session.execute(
                update(GttOrder).where(GttOrder.id == row.id, GttOrder.status == ACTIVE)
                .values(status=GttStatus.CANCELLED.value, updated_at=self.clock()))
            if changed.rowcount != 1:
                await session.refresh(row)
                raise self._not_active(row)
            await session.commit()
        return trigger_id

    async def active(self, user_id: int) -> list[Gtt]:
        async with self.db.sessions() as session:
            rows = await session.scalars(select(GttOrder).where(GttOrder.user_id == user_id, GttOrder.status == ACTIVE)
                                         .order_by(GttOrder.id))
            return [gtt_of(row) for row in rows]

    async def get(self, gtt_id: int) -> GttOrder | None:
        async with self.db.sessions() as session:
            return await session.get(GttOrder, gtt_id)

    async def armed(self) -> list[ArmedGtt]:
        """Every user's active GTTs (the monitor's working set)."""
        async with self.db.sessions() as session:
            return [armed_of(row) for row in await session.scalars(select(GttOrder).where(GttOrder.status == ACTIVE))]

    async def claim(self, gtt: ArmedGtt, leg: int) -> GttOrder | None:
        """Mark `gtt` triggered by `leg` unless someone else fired, cancelled or modified it first.
        Returns the claimed row (committed) or None."""
        async with self.db.sessions() as session:
            row = await session.get(GttOrder, gtt.id)
            if row is None or row.status != ACTIVE or row.version != gtt.version:
                return None
            changed = await session.execute(
                update(GttOrder).where(GttOrder.id == gtt.id, GttOrder.status == ACTIVE,
                                       GttOrder.version == gtt.version)
                .values(status=GttStatus.TRIGGERED.value, legs=mark_fired(row.legs, leg), updated_at=self.clock()))
            if changed.rowcount != 1:
                await session.rollback()
                return None
            await session.commit()
            await session.refresh(row)
            return row

    async def record_child(self, gtt_id: int, orderid: str) -> None:
        await self._set(gtt_id, child_orderid=orderid)

    async def reject(self, gtt_id: int, reason: str) -> None:
        await self._set(gtt_id, status=GttStatus.REJECTED.value, reason=reason)

    async def release(self, gtt_id: int) -> None:
        """Undo a claim whose child order could not even be attempted (no usable gateway)."""
        async with self.db.sessions() as session:
            row = await session.get(GttOrder, gtt_id)
            if row is None:
                return
            await session.execute(update(GttOrder).where(
                GttOrder.id == gtt_id, GttOrder.status == GttStatus.TRIGGERED.value, GttOrder.child_orderid.is_(None))
                .values(status=ACTIVE, legs=unmark(row.legs)))
            await session.commit()

    async def _set(self, gtt_id: int, **values) -> None:
        async with self.db.sessions() as session:
            await session.execute(update(GttOrder).where(GttOrder.id == gtt_id).values(**values,
                                                                                      updated_at=self.clock()))
            await session.commit()

    async def expire_due(self) -> int:
        """GTTs past their expiry are cancelled (OpenAlgo's hourly expiry, run with every sweep)."""
        async with self.db.sessions() as session:
            changed = await session.execute(
                update(GttOrder).where(GttOrder.status == ACTIVE, GttOrder.expires_at.is_not(None),
                                       GttOrder.expires_at <= self.clock())
                .values(status=GttStatus.CANCELLED.value, reason="Expired", updated_at=self.clock()))
            await session.commit()
            return changed.rowcount or 0
