"""The stored master contract on SQLite and PostgreSQL: bulk load, versioned swap, validation,
the 08:00 IST download rule and progress events."""

import asyncio
import dataclasses
from datetime import datetime, timedelta
from decimal import Decimal

from asgi_lifespan import LifespanManager
from sqlalchemy import func, select

from backend.core.clock import IST
from backend.domains.symbols import runtime
from backend.domains.symbols.models import InstrumentMaster, InstrumentRecord
from backend.domains.symbols.service import SymbolMaster, is_fresh, last_cutoff, validate
from backend.main import create_app
from brokers.contract.types import Exchange


class ListProvider:
    """An InstrumentProvider over a fixed list (or failing halfway, like a dropped download)."""

    def __init__(self, rows, fail: bool = False):
        self.rows, self.fail = rows, fail

    async def download(self, progress=None):
        if progress:
            progress("Downloading", 0.5)
        if self.fail:
            raise ConnectionError("broker closed the connection")
        return list(self.rows)


async def stored(db, broker="testbroker"):
    async with db.sessions() as session:
        count = await session.scalar(select(func.count()).select_from(InstrumentRecord)
                                     .where(InstrumentRecord.broker == broker))
        versions = (await session.scalars(select(InstrumentRecord.version).where(InstrumentRecord.broker == broker)
                                          .distinct())).all()
        master = await session.get(InstrumentMaster, broker)
    return count, sorted(versions), master


class TestBulkLoad:
    async def test_round_trip_keeps_every_field_exact(self, db, small_instruments):
        master = SymbolMaster("testbroker", db)
        await master.persist(small_instruments)
        reader = SymbolMaster("testbroker", db)
        assert await reader.load_from_db()
        assert reader.index.instruments == small_instruments
        vedl = reader.get("NFO", "VEDL29JAN30292.5CE")
        assert vedl.strike == Decimal("292.5") and vedl.tick_size == Decimal("0.05")

    async def test_the_whole_universe_loads_with_the_fast_path(self, db, universe):
        master = SymbolMaster("testbroker", db)
        version = await master.persist(universe)
        count, versions, row = await stored(db)
        assert count == len(universe) and versions == [version] and row.active_version == version
        assert row.total == len(universe) and row.status == "success"


class TestAtomicSwap:
    async def test_failed_download_keeps_serving_the_old_master(self, db, small_instruments):
        master = SymbolMaster("testbroker", db)
        assert (await master.download(ListProvider(small_instruments))).status == "success"
        _, (first_version,), _ = await stored(db)
        status = await master.download(ListProvider([], fail=True), force=True)
        assert status.status == "error" and "ConnectionError" in status.message
        assert master.get("NSE", "SBIN") is not None  # the index still serves
        count, versions, row = await stored(db)
        assert (count, versions, row.active_version) == (len(small_instruments), [first_version], first_version)
        assert row.status == "error"

    async def test_new_version_replaces_the_old_one_completely(self, db, small_instruments):
        master = SymbolMaster("testbroker", db)
        await master.download(ListProvider(small_instruments))
        await master.download(ListProvider(small_instruments[:3]), force=True)
        count, versions, row = await stored(db)
        assert count == 3 and versions == [row.active_version] and row.active_version == 2
        assert master.get("NFO", "NIFTY29JAN30FUT") is None and len(master) == 3

    async def test_an_orphan_half_written_version_is_invisible_and_cleaned(self, db, small_instruments):
        from backend.domains.symbols.repository import InstrumentRepository

        master = SymbolMaster("testbroker", db)
        await master.persist(small_instruments)
        await InstrumentRepository(db.engine).bulk_insert("testbroker", 99, small_instruments[:2])  # never activated
        reader = SymbolMaster("testbroker", db)
        assert await reader.load_from_db() and len(reader) == len(small_instruments)
        await master.persist(small_instruments[:5])
        count, versions, _ = await stored(db)
        assert count == 5 and versions == [100]


class TestValidation:
    def test_malformed_rows_are_reported_and_skipped(self, small_instruments):
        good = small_instruments[0]
        bad = [dataclasses.replace(good, symbol=""), dataclasses.replace(good, lotsize=0),
               dataclasses.replace(good, tick_size=Decimal("-1")), dataclasses.replace(good, token=""),
               dataclasses.replace(small_instruments[6], strike=None), "not an instrument", good]
        kept, errors = validate([good, *bad])
        assert kept == [good] and len(errors) == 7
        assert "duplicate" in errors[-1] and "lot size" in errors[1]

    async def test_download_skips_bad_rows_but_loads_the_rest(self, db, small_instruments):
        rows = [*small_instruments, dataclasses.replace(small_instruments[0], symbol="BAD ROW", exchange="XX")]
        master = SymbolMaster("testbroker", db)
        status = await master.download(ListProvider(rows))
        assert status.status == "success" and status.total == len(small_instruments) and status.skipped == 1
        assert "BAD ROW" in status.errors[0]
        _, _, row = await stored(db)
        assert row.skipped == 1

    async def test_a_master_with_no_valid_row_is_an_error_not_a_wipe(self, db, small_instruments):
        master = SymbolMaster("testbroker", db)
        await master.download(ListProvider(small_instruments))
        status = await master.download(ListProvider([dataclasses.replace(small_instruments[0], lotsize=-1)]),
                                       force=True)
        assert status.status == "error" and len(master) == len(small_instruments)


class TestDownloadRule:
    def test_cutoff_is_the_latest_eight_oclock_ist(self):
        assert last_cutoff(datetime(2026, 11, 27, 9, 0, tzinfo=IST)) == datetime(2026, 11, 27, 8, 0, tzinfo=IST)
        assert last_cutoff(datetime(2026, 11, 27, 7, 0, tzinfo=IST)) == datetime(2026, 11, 26, 8, 0, tzinfo=IST)
        now = datetime(2026, 11, 27, 12, 0, tzinfo=IST)
        assert is_fresh(datetime(2026, 11, 27, 8, 1, tzinfo=IST), now)
        assert not is_fresh(datetime(2026, 11, 27, 7, 59, tzinfo=IST), now)
        assert not is_fresh(None, now)

    async def test_downloaded_today_after_eight_is_not_downloaded_again(self, db, small_instruments):
        clock = {"now": datetime(2026, 11, 27, 9, 0, tzinfo=IST)}
        master = SymbolMaster("testbroker", db, now=lambda: clock["now"])
        await master.download(ListProvider(small_instruments))
        provider = ListProvider(small_instruments[:2])
        await master.download(provider)
        assert len(master) == len(small_instruments)  # skipped: fresh
        await master.download(provider, force=True)
        assert len(master) == 2  # forced
        clock["now"] += timedelta(days=1)
        assert await master.needs_download()

    async def test_progress_events(self, db, small_instruments):
        events = []
        master = SymbolMaster("testbroker", db)
        master.add_listener(lambda event, payload: events.append((event, payload)))
        master.add_listener(lambda event, payload: 1 / 0)  # a broken listener changes nothing
        await master.download(ListProvider(small_instruments))
        names = [event for event, _ in events]
        assert names[0] == "download_progress" and names[-1] == "master_contract_download"
        assert "cache_loaded" in names
        progress = [p["progress"] for e, p in events if e == "download_progress"]
        assert progress == sorted(progress) and progress[-1] == 1.0
        assert events[-1][1] == {"status": "success", "message": "Successfully Downloaded"}


class TestStartUp:
    async def test_app_serves_the_index_at_once_and_stores_it_in_the_background(self, settings, monkeypatch):
        monkeypatch.setattr(runtime, "PERSIST_DELAY_SECONDS", 0.0)
        app = create_app(settings)
        async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
            master = app.state.symbols
            assert master.get(Exchange.NSE, "SBIN") is not None and len(master) >= 50_000
            assert app.state.market is app.state.simulator.data_client
            await asyncio.wait_for(master.persist_task, timeout=60)
            count, versions, row = await stored(app.state.db, "simulator")
            assert count == len(master) and versions == [row.active_version]
            assert is_fresh(row.downloaded_at, datetime.now(IST))
        # A second start on the same day finds the fresh master and does not write again.
        app = create_app(settings)
        async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
            await asyncio.wait_for(app.state.symbols.persist_task, timeout=60)
            _, versions_after, _ = await stored(app.state.db, "simulator")
            assert versions_after == versions
