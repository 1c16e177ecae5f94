"""Hourly clean-up of dead rows: expired or revoked web sessions, expired IP bans."""

from __future__ import annotations

import asyncio
import logging

from backend.core.db import Database
from backend.domains.accounts.ip_bans import DatabaseBanStore
from backend.domains.accounts.repository import WebSessionRepository
from backend.domains.accounts.runtime import runtime_of

log = logging.getLogger("algogate.accounts")

EVERY_SECONDS = 3600.0


class Housekeeping:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._task: asyncio.Task | None = None

    async def run_once(self) -> tuple[int, int]:
        """(sessions removed, bans removed)."""
        async with self.db.sessions() as session:
            sessions = await WebSessionRepository(session).delete_dead(runtime_of(session).clock())
            await session.commit()
        bans = await DatabaseBanStore(self.db).prune_expired()
        return sessions, bans

    async def start(self) -> None:
        self._task = asyncio.create_task(self._forever(), name="accounts-housekeeping")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _forever(self) -> None:
        while True:
            await asyncio.sleep(EVERY_SECONDS)  # nothing is due right after start
            try:
                await self.run_once()
            except Exception:
                log.warning("accounts housekeeping failed", exc_info=True)
