"""Only one process may long-poll getUpdates (Telegram answers a second poller with 409). With
PostgreSQL the pollers of all workers contend for an advisory lock held on a dedicated
connection: when the holder dies its connection closes and another worker takes over. SQLite
deployments are a single process, so the lease is granted at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text

POLL_LOCK_KEY = 0x616C676F_7467  # "algotg"
RETRY_SECONDS = 15.0


@asynccontextmanager
async def polling_lease(db, retry_seconds: float = RETRY_SECONDS) -> AsyncIterator[None]:
    if db.dialect != "postgresql":
        yield
        return
    async with db.engine.connect() as conn:
        while not await conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": POLL_LOCK_KEY}):
            await conn.rollback()  # do not sit idle in a transaction while waiting
            await asyncio.sleep(retry_seconds)
        try:
            yield
        finally:
            await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": POLL_LOCK_KEY})
