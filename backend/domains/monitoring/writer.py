"""The log writer: traffic, API and latency rows leave the request path through a bounded queue
and reach the logs store in batched inserts.

A request only does `put_nowait` (no I/O, no await). One background task drains the queue,
lingers briefly so rows arrive in batches, redacts API bodies in small slices (yielding between
them, so no request waits behind a whole batch), and inserts each kind with one executemany —
on a SQLite logs store from a thread of its own (sqlite_sink.py), never on the event loop. On
shutdown the queue is drained completely before the engine is disposed, so a clean stop loses
nothing. If the queue is ever full (the store is down for long), rows are
dropped and counted rather than slowing trading requests.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from backend.core.clock import utcnow
from backend.core.db import Database
from backend.core.settings import Settings
from backend.domains.monitoring.redaction import redact_body
from backend.domains.monitoring.repository import MODELS, LogRepository
from backend.domains.monitoring.sqlite_sink import SqliteLogSink, sqlite_file

log = logging.getLogger("algogate.monitoring")

_STOP = object()
PRUNE_EVERY_SECONDS = 3600.0
SLICE = 50  # rows prepared between two yields to the event loop


class LogWriter:
    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.traffic_log_enabled
        self.batch_size = settings.log_batch_size
        self.linger = settings.log_flush_seconds
        self.retention_days = settings.log_retention_days
        self._logs_file = sqlite_file(settings.logs_url)
        self._busy_timeout_ms = settings.sqlite_busy_timeout_ms
        self._sink: SqliteLogSink | None = None
        self.queue: asyncio.Queue = asyncio.Queue(maxsize=settings.log_queue_size)
        self.written: dict[str, int] = dict.fromkeys(MODELS, 0)
        self.dropped = 0
        self.failed = 0
        self._db: Database | None = None
        self._task: asyncio.Task | None = None
        self._pruner: asyncio.Task | None = None
        self._closed = True
        self._wake = asyncio.Event()  # cuts the linger short on stop/flush

    # --- request path ----------------------------------------------------------------------------

    def submit(self, kind: str, row: dict[str, Any]) -> bool:
        """Queue one row; never blocks. False when the row was dropped."""
        if self._closed:
            self.dropped += 1
            return False
        try:
            self.queue.put_nowait((kind, row))
            return True
        except asyncio.QueueFull:
            self.dropped += 1
            if self.dropped in (1, 100) or self.dropped % 10_000 == 0:
                log.warning("log queue full: %d rows dropped so far", self.dropped)
            return False

    # --- lifecycle -------------------------------------------------------------------------------

    async def start(self, db: Database) -> None:
        self._db = db
        if self._logs_file is not None:
            self._sink = SqliteLogSink(self._logs_file, {kind: model.__table__ for kind, model in MODELS.items()},
                                       self._busy_timeout_ms)
        self._closed = False
        self._task = asyncio.create_task(self._run(), name="log-writer")
        self._pruner = asyncio.create_task(self._prune_forever(), name="log-retention")

    async def stop(self) -> None:
        """Flush everything queued so far, then end the task."""
        if self._task is None:
            return
        self._closed = True
        self._wake.set()
        if self._pruner is not None:
            self._pruner.cancel()
            await asyncio.gather(self._pruner, return_exceptions=True)
        await self.queue.put(_STOP)
        await self._task
        self._task = None
        if self._sink is not None:
            await self._sink.close()
            self._sink = None

    async def flush(self) -> None:
        """Wait until every row queued before this call is in the store (tests, admin views)."""
        done = asyncio.get_running_loop().create_future()
        await self.queue.put(("_flush", done))
        self._wake.set()
        await done

    # --- the drain loop -----------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            first = await self.queue.get()
            batch = [first]
            if first is not _STOP and self.queue.qsize() < self.batch_size and not self._wake.is_set():
                try:  # let a burst accumulate into one insert
                    await asyncio.wait_for(self._wake.wait(), self.linger)
                except TimeoutError:
                    pass
            if not self._closed:
                self._wake.clear()
            while len(batch) < self.batch_size * 4 and batch[-1] is not _STOP:
                try:
                    batch.append(self.queue.get_nowait())
                except asyncio.QueueEmpty:
                    break
            stop = batch[-1] is _STOP
            await self._write([item for item in batch if item is not _STOP])
            if stop:
                # rows queued behind the sentinel (requests finishing during shutdown)
                rest = []
                while not self.queue.empty():
                    item = self.queue.get_nowait()
                    if item is not _STOP:
                        rest.append(item)
                await self._write(rest)
                return

    async def _write(self, batch: list[tuple[str, Any]]) -> None:
        grouped: dict[str, list[dict[str, Any]]] = {}
        waiters = []
        for kind, row in batch:
            if kind == "_flush":
                waiters.append(row)
                continue
            grouped.setdefault(kind, []).append(row)
        for kind, rows in grouped.items():
            for start in range(0, len(rows), self.batch_size):
                chunk = rows[start:start + self.batch_size]
                try:
                    await self._insert(kind, chunk)
                    self.written[kind] += len(chunk)
                except Exception:  # the writer must survive a bad batch or a store hiccup
                    self.failed += len(chunk)
                    log.warning("could not write %d %s log rows", len(chunk), kind, exc_info=True)
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _insert(self, kind: str, rows: list[dict[str, Any]]) -> None:
        prepared: list = []
        for start in range(0, len(rows), SLICE):
            if start:
                await asyncio.sleep(0)  # let requests run between slices
            part = [_prepare(kind, row) for row in rows[start:start + SLICE]]
            prepared.extend(self._sink.rows(kind, part) if self._sink is not None else part)
        if self._sink is not None:
            await self._sink.insert(kind, prepared)
            return
        async with self._db.log_sessions() as session:
            await LogRepository(session).insert_many(kind, prepared)
            await session.commit()

    # --- retention ------------------------------------------------------------------------------------

    async def _prune_forever(self) -> None:
        while True:
            try:
                await self.prune()
            except Exception:
                log.warning("log pruning failed", exc_info=True)
            await asyncio.sleep(PRUNE_EVERY_SECONDS)

    async def prune(self) -> int:
        """Delete log rows older than LOG_RETENTION_DAYS; returns how many."""
        cutoff = utcnow() - timedelta(days=self.retention_days)
        async with self._db.log_sessions() as session:
            removed = await LogRepository(session).delete_older_than(cutoff)
            await session.commit()
        return removed


def _prepare(kind: str, row: dict[str, Any]) -> dict[str, Any]:
    """Finish a row off the request path: redact and cap bodies."""
    if kind == "api":
        row = dict(row)
        row["request_body"] = redact_body(row.get("request_body", b""))
        row["response_body"] = redact_body(row.get("response_body", b""))
    return row
