"""Scheduled sandbox work (APScheduler, IST): the minute sweep (MIS square-off, expiry, T+1),
the slow safety poll, the 23:59 daily P&L snapshot and the optional weekly capital reset.

Every job is idempotent, so running it in several workers at once is safe (each unit of work is
serialised per user in the database), and `SandboxService.start` runs the same sweep as catch-up.
Quotes come from each account's own market source when the service has a market directory
(`SandboxService.use_markets`); `market` is the single source of a directory-less service (tests).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from backend.core.scheduler import Scheduler
from backend.domains.sandbox.service import SandboxService
from backend.domains.sandbox.setup import parse_hhmm
from brokers.paper.calendar import IST
from brokers.paper.engine import MarketData

log = logging.getLogger("algogate.sandbox")
DAYS = {"monday": "mon", "tuesday": "tue", "wednesday": "wed", "thursday": "thu", "friday": "fri",
        "saturday": "sat", "sunday": "sun"}
JOB_OPTIONS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300, "replace_existing": True}


class SandboxJobs:
    def __init__(self, service: SandboxService, scheduler: Scheduler,
                 market: Callable[[], MarketData | None] = lambda: None) -> None:
        self.service = service
        self.scheduler = scheduler
        self.market = market  # quotes for every source when the service has no market directory

    def install(self) -> list[str]:
        settings, aps = self.service.settings, self.scheduler.aps
        aps.add_job(self.sweep, IntervalTrigger(minutes=1, timezone=IST), id="sandbox-sweep", **JOB_OPTIONS)
        aps.add_job(self.poll, IntervalTrigger(seconds=settings.sandbox_poll_seconds, timezone=IST),
                    id="sandbox-poll", **JOB_OPTIONS)
        aps.add_job(self.snapshot, CronTrigger(hour=23, minute=59, timezone=IST), id="sandbox-daily-pnl",
                    **JOB_OPTIONS)
        day = DAYS.get(settings.sandbox_reset_day.strip().lower())
        if day:
            at = parse_hhmm(settings.sandbox_reset_time)
            aps.add_job(self.reset, CronTrigger(day_of_week=day, hour=at.hour, minute=at.minute, timezone=IST),
                        id="sandbox-weekly-reset", **JOB_OPTIONS)
        return [job.id for job in aps.get_jobs() if job.id.startswith("sandbox-")]

    async def start(self) -> None:
        """Catch-up on start: call before `install` (or any time; it is idempotent)."""
        await self.service.start(self.market())

    async def sweep(self) -> None:
        await self._guarded("sweep", self.service.sweep_all(self.market()))

    async def poll(self) -> None:
        await self._guarded("poll", self.service.poll(self.market()))

    async def snapshot(self) -> None:
        await self._guarded("daily snapshot", self.service.snapshot_all())

    async def reset(self) -> None:
        await self._guarded("weekly reset", self.service.reset_all())

    @staticmethod
    async def _guarded(name: str, work) -> None:
        try:
            await work
        except Exception:  # a failed run is retried by the next one; never kill the scheduler
            log.exception("sandbox %s failed", name)
