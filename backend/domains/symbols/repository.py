"""All SQL of the master contract. Bulk loads take each backend's fast path:
SQLite `executemany` inside one transaction, PostgreSQL `COPY` through asyncpg."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import islice

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from backend.core.clock import utcnow
from backend.domains.symbols.models import InstrumentMaster, InstrumentRecord
from brokers.contract.types import Exchange, Instrument

COLUMNS = ("broker", "version", "symbol", "brsymbol", "name", "exchange", "brexchange", "token", "expiry",
           "strike", "lotsize", "tick_size", "instrumenttype", "freeze_qty")
_INSERT_SQL = f"INSERT INTO instruments ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
_SQLITE_BATCH = 5_000


# Rows are generated batch by batch, never as one list: a 60,000-row list of tuples is ~15 MB at
# its peak, and the heap it spreads over stays with the process after it is freed.
def _records(broker: str, version: int, instruments: Sequence[Instrument]) -> Iterator[tuple]:
    return ((broker, version, i.symbol, i.brsymbol, i.name, i.exchange.value, i.brexchange, i.token, i.expiry,
             i.strike, i.lotsize, i.tick_size, i.instrumenttype, i.freeze_qty) for i in instruments)


def _sqlite_records(broker: str, version: int, instruments: Sequence[Instrument]) -> Iterator[tuple]:
    # The DB-API driver takes ISO dates and text numbers; text keeps strikes like 292.5 exact.
    return ((broker, version, i.symbol, i.brsymbol, i.name, i.exchange.value, i.brexchange, i.token,
             i.expiry.isoformat() if i.expiry else None, None if i.strike is None else str(i.strike),
             i.lotsize, str(i.tick_size), i.instrumenttype, i.freeze_qty) for i in instruments)


class InstrumentRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def next_version(self, session: AsyncSession, broker: str) -> int:
        highest = await session.scalar(select(func.max(InstrumentRecord.version)).where(InstrumentRecord.broker == broker))
        active = await session.scalar(select(InstrumentMaster.active_version).where(InstrumentMaster.broker == broker))
        return max(highest or 0, active or 0) + 1

    async def bulk_insert(self, broker: str, version: int, instruments: Sequence[Instrument]) -> None:
        """Write a whole version in one transaction on a connection of its own."""
        async with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                raw = await conn.get_raw_connection()
                await raw.driver_connection.copy_records_to_table(
                    "instruments", records=_records(broker, version, instruments), columns=list(COLUMNS))
                return
            records = _sqlite_records(broker, version, instruments)
            while batch := list(islice(records, _SQLITE_BATCH)):
                await conn.exec_driver_sql(_INSERT_SQL, batch)

    async def get_master(self, session: AsyncSession, broker: str) -> InstrumentMaster | None:
        return await session.get(InstrumentMaster, broker)

    async def save_status(self, session: AsyncSession, broker: str, **values) -> InstrumentMaster:
        master = await session.get(InstrumentMaster, broker)
        if master is None:
            master = InstrumentMaster(broker=broker, active_version=0, status="pending", message="", total=0,
                                      skipped=0)
            session.add(master)
        for name, value in values.items():
            setattr(master, name, value)
        master.updated_at = utcnow()
        await session.flush()
        return master

    async def activate(self, session: AsyncSession, broker: str, version: int, total: int, skipped: int,
                       downloaded_at: datetime, message: str) -> None:
        """The swap: one UPDATE moves readers to the new version."""
        await self.save_status(session, broker, active_version=version, status="success", total=total,
                               skipped=skipped, downloaded_at=downloaded_at, message=message)

    async def delete_other_versions(self, session: AsyncSession, broker: str, keep: int) -> int:
        result = await session.execute(
            delete(InstrumentRecord).where(InstrumentRecord.broker == broker, InstrumentRecord.version != keep))
        return result.rowcount or 0

    async def load_active(self, session: AsyncSession, broker: str) -> list[Instrument]:
        """The serving version as contract objects. Raw rows (no per-value type processing) and
        shared Decimal/date objects keep 100,000 rows to a second or two."""
        master = await session.get(InstrumentMaster, broker)
        if master is None or not master.active_version:
            return []
        result = await session.execute(
            text(f"SELECT {', '.join(COLUMNS[2:])} FROM instruments WHERE broker = :broker AND version = :version "
                 "ORDER BY id"), {"broker": broker, "version": master.active_version})
        decimals: dict[object, Decimal] = {}
        dates: dict[object, date] = {}
        exchanges = {e.value: e for e in Exchange}

        def as_decimal(value: object) -> Decimal:
            found = decimals.get(value)
            if found is None:
                found = Decimal(str(value)).normalize()
                if found == found.to_integral_value():
                    found = found.quantize(Decimal(1))  # 26000, never 2.6E+4
                decimals[value] = found
            return found

        def as_date(value: object) -> date:
            found = dates.get(value)
            if found is None:
                found = dates[value] = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
            return found

        return [Instrument(symbol, brsymbol, name, exchanges[exchange], brexchange, token,
                           None if expiry is None else as_date(expiry), None if strike is None else as_decimal(strike),
                           lotsize, as_decimal(tick), kind, freeze)
                for (symbol, brsymbol, name, exchange, brexchange, token, expiry, strike, lotsize, tick, kind, freeze)
                in result.all()]

    async def count_version(self, session: AsyncSession, broker: str, version: int) -> int:
        return await session.scalar(select(func.count()).select_from(InstrumentRecord).where(
            InstrumentRecord.broker == broker, InstrumentRecord.version == version)) or 0

    async def mark_stale(self, session: AsyncSession, broker: str) -> None:
        await session.execute(update(InstrumentMaster).where(InstrumentMaster.broker == broker)
                              .values(downloaded_at=None, updated_at=utcnow()))
