"""The app's job scheduler (APScheduler, asyncio). Jobs are added by the domains that own them."""

from __future__ import annotations

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from backend.core.clock import IST


class Scheduler:
    def __init__(self) -> None:
        self.aps = AsyncIOScheduler(timezone=IST)

    async def start(self) -> None:
        if not self.aps.running:
            self.aps.start()

    async def stop(self) -> None:
        if self.aps.running:
            self.aps.shutdown(wait=False)
