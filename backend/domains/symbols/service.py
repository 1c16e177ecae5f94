"""The master contract of one broker: download rule, validation, persistence, the live index.

`SymbolMaster` is what the rest of the app uses (`app.state.symbols`): lookups delegate to the
current `SymbolIndex`, which a completed download replaces in one reference swap, so readers
never see a half-loaded master and the previous one keeps serving until the new one is ready.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from backend.core.clock import IST, utcnow
from backend.core.db import Database
from backend.domains.symbols.index import SymbolIndex
from backend.domains.symbols.repository import InstrumentRepository
from brokers.contract.protocols import InstrumentProvider
from brokers.contract.types import Exchange, Instrument

log = logging.getLogger("algogate.symbols")

DOWNLOAD_CUTOFF_HOUR = 8  # brokers publish the day's master before 08:00 IST
MAX_REPORTED_ERRORS = 50

ProgressListener = Callable[[str, dict], None]


@dataclass
class MasterStatus:
    broker: str
    status: str = "pending"  # pending | downloading | success | error
    message: str = ""
    progress: float = 0.0
    total: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    downloaded_at: datetime | None = None
    load_seconds: float = 0.0

    def as_dict(self) -> dict:
        data = asdict(self)
        data["downloaded_at"] = self.downloaded_at.isoformat() if self.downloaded_at else None
        return data


def last_cutoff(now: datetime) -> datetime:
    """The most recent 08:00 IST at or before `now`."""
    local = now.astimezone(IST)
    cutoff = local.replace(hour=DOWNLOAD_CUTOFF_HOUR, minute=0, second=0, microsecond=0)
    return cutoff if local >= cutoff else cutoff - timedelta(days=1)


def is_fresh(downloaded_at: datetime | None, now: datetime) -> bool:
    """Downloaded after the latest 08:00 IST cut-off → no need to download again."""
    if downloaded_at is None:
        return False
    if downloaded_at.tzinfo is None:  # SQLite hands back naive values; we always store UTC
        downloaded_at = downloaded_at.replace(tzinfo=UTC)
    return downloaded_at >= last_cutoff(now)


def validate(instruments: Iterable[Instrument]) -> tuple[list[Instrument], list[str]]:
    """Keep well-formed rows; describe each skipped one (never raises on a bad row)."""
    good: list[Instrument] = []
    errors: list[str] = []
    seen: set[tuple[str, str]] = set()
    for position, item in enumerate(instruments):
        problem = _problem(item)
        key = (getattr(getattr(item, "exchange", None), "value", ""), getattr(item, "symbol", ""))
        if problem is None and key in seen:
            problem = "duplicate symbol on the exchange"
        if problem is not None:
            errors.append(f"row {position} ({key[1] or '?'}@{key[0] or '?'}): {problem}")
            continue
        seen.add(key)
        good.append(item)
    return good, errors


def _problem(item: object) -> str | None:
    if not isinstance(item, Instrument):
        return "not an instrument"
    if not item.symbol or not item.symbol.strip() or any(ch.isspace() for ch in item.symbol):
        return "empty or blank symbol"
    if not isinstance(item.exchange, Exchange):
        return f"unknown exchange {item.exchange!r}"
    if not item.token:
        return "missing token"
    if not isinstance(item.lotsize, int) or item.lotsize < 1:
        return f"bad lot size {item.lotsize!r}"
    if not isinstance(item.tick_size, Decimal) or not item.tick_size.is_finite() or item.tick_size <= 0:
        return f"bad tick size {item.tick_size!r}"
    if item.instrumenttype in ("CE", "PE"):
        if item.expiry is None or item.strike is None or not item.strike.is_finite() or item.strike <= 0:
            return "option without a valid expiry and strike"
    if item.instrumenttype == "FUT" and item.expiry is None:
        return "future without expiry"
    if item.expiry is not None and not isinstance(item.expiry, date):
        return "bad expiry"
    return None


class SymbolMaster:
    def __init__(self, broker: str, db: Database | None = None, now: Callable[[], datetime] = utcnow) -> None:
        self.broker = broker
        self.db = db
        self.now = now
        self.index = SymbolIndex((), broker)
        self.status = MasterStatus(broker)
        self._listeners: list[ProgressListener] = []
        self._lock = asyncio.Lock()
        self.persist_task: asyncio.Task | None = None

    # --- progress events (Socket.IO hooks in later) ----------------------------------------------
    def add_listener(self, listener: ProgressListener) -> None:
        """`listener(event, payload)`; events: download_progress, master_contract_download, cache_loaded."""
        self._listeners.append(listener)

    def _emit(self, event: str, payload: dict) -> None:
        for listener in list(self._listeners):
            try:
                listener(event, payload)
            except Exception:  # a UI hook must never break a download
                log.exception("symbol master listener failed on %s", event)

    def _progress(self, message: str, fraction: float) -> None:
        self.status.message, self.status.progress = message, fraction
        self._emit("download_progress", {"broker": self.broker, "message": message, "progress": fraction})

    # --- loading ---------------------------------------------------------------------------------
    def install(self, instruments: Sequence[Instrument], index: SymbolIndex | None = None,
                validated: bool = False) -> SymbolIndex:
        """Validate, build the index and swap it in (previous index serves until this returns)."""
        started = time.perf_counter()
        good, errors = (instruments, []) if validated else validate(instruments)
        new_index = index if index is not None else SymbolIndex(good, self.broker)
        self.index = new_index
        self.status.total, self.status.skipped = len(good), len(errors)
        self.status.errors = errors[:MAX_REPORTED_ERRORS]
        self.status.load_seconds = round(time.perf_counter() - started, 3)
        for error in errors[:MAX_REPORTED_ERRORS]:
            log.warning("master %s: skipped %s", self.broker, error)
        self._emit("cache_loaded", {"status": "success", "broker": self.broker, "total_symbols": len(good),
                                    "load_time": self.status.load_seconds})
        return new_index

    async def needs_download(self) -> bool:
        if self.db is None:
            return True
        async with self.db.sessions() as session:
            master = await InstrumentRepository(self.db.engine).get_master(session, self.broker)
        return master is None or not master.active_version or not is_fresh(master.downloaded_at, self.now())

    async def download(self, provider: InstrumentProvider, force: bool = False) -> MasterStatus:
        """Download → validate → index swap → persist (new version, then pointer swap)."""
        async with self._lock:
            if not force and len(self.index) and not await self.needs_download():
                return self.status
            self.status.status, self.status.progress = "downloading", 0.0
            self._progress("Starting download...", 0.0)
            try:
                instruments = await provider.download(self._progress)
                good, errors = validate(instruments)
                if not good:
                    raise ValueError("the master contract has no valid instruments")
                index = await asyncio.to_thread(SymbolIndex, good, self.broker)
                self.install(good, index, validated=True)
                self.status.skipped, self.status.errors = len(errors), errors[:MAX_REPORTED_ERRORS]
                await self.persist(good, len(errors))
            except Exception as exc:
                log.exception("master contract download for %s failed", self.broker)
                self.status.status, self.status.message = "error", f"{type(exc).__name__}: {exc}"
                await self._record_failure(self.status.message)
                self._emit("master_contract_download", {"status": "error", "message": self.status.message})
                return self.status
            self.status.status, self.status.progress = "success", 1.0
            self.status.message = "Successfully Downloaded"
            self._emit("master_contract_download", {"status": "success", "message": "Successfully Downloaded"})
            return self.status

    async def persist(self, instruments: Sequence[Instrument], skipped: int = 0) -> int:
        """Write a new version and swap the pointer; older versions are deleted afterwards."""
        if self.db is None:
            return 0
        repository = InstrumentRepository(self.db.engine)
        async with self.db.sessions() as session:
            version = await repository.next_version(session, self.broker)
        self._progress(f"Writing {len(instruments)} instruments", 0.6)
        await repository.bulk_insert(self.broker, version, instruments)
        downloaded_at = self.now().astimezone(UTC)
        async with self.db.sessions() as session:
            await repository.activate(session, self.broker, version, len(instruments), skipped, downloaded_at,
                                      "Successfully Downloaded")
            await session.commit()
        async with self.db.sessions() as session:
            await repository.delete_other_versions(session, self.broker, version)
            await session.commit()
        self.status.downloaded_at = downloaded_at
        self._progress("Master contract stored", 1.0)
        return version

    async def _record_failure(self, message: str) -> None:
        if self.db is None:
            return
        try:
            async with self.db.sessions() as session:
                await InstrumentRepository(self.db.engine).save_status(session, self.broker, status="error",
                                                                       message=message[:2000])
                await session.commit()
        except Exception:
            log.exception("could not record the failed download of %s", self.broker)

    async def load_from_db(self) -> bool:
        """Serve the stored master (e.g. at start, when today's download already happened)."""
        if self.db is None:
            return False
        async with self.db.sessions() as session:
            repository = InstrumentRepository(self.db.engine)
            instruments = await repository.load_active(session, self.broker)
            master = await repository.get_master(session, self.broker)
        if not instruments:
            return False
        index = await asyncio.to_thread(SymbolIndex, instruments, self.broker)
        self.install(instruments, index)
        self.status.status = "success"
        self.status.downloaded_at = master.downloaded_at if master else None
        return True

    # --- lookups (delegated to the current index) -----------------------------------------------
    def __len__(self) -> int:
        return len(self.index)

    def get(self, exchange: Exchange | str, symbol: str) -> Instrument | None:
        return self.index.get(exchange, symbol)

    def by_token(self, exchange: Exchange | str, token: str) -> Instrument | None:
        return self.index.by_token(exchange, token)

    def by_brsymbol(self, brexchange: str, brsymbol: str) -> Instrument | None:
        return self.index.by_brsymbol(brexchange, brsymbol)

    def search(self, query: str, exchange: Exchange | str | None = None, instrumenttype: str | None = None,
               limit: int = 500) -> list[Instrument]:
        return self.index.search(query, exchange, instrumenttype, limit)

    async def ensure_search(self) -> None:
        """The search arrays are built on the first search (unless SYMBOL_SEARCH_PREBUILD): in a worker
        thread, so the event loop keeps serving while they build; concurrent callers share the build."""
        index = self.index
        if not index.search_ready:
            await asyncio.to_thread(index.prepare_search)

    def expiries(self, underlying: str, exchange: Exchange | str, kind: str, on_or_after: date | None = None) -> list[date]:
        return self.index.expiries(underlying, exchange, kind, on_or_after)

    def resolve_option(self, underlying: str, exchange: Exchange | str, expiry: date, offset: str,
                       option_type: str, underlying_ltp: float, strike_interval: int | None = None) -> Instrument:
        return self.index.resolve_option(underlying, exchange, expiry, offset, option_type, underlying_ltp,
                                         strike_interval)
