"""SQL for trading profiles; every statement is scoped by user id."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.clock import utcnow
from backend.core.db import upsert_insert
from backend.domains.trading.models import TradingProfile


class TradingProfileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int) -> TradingProfile | None:
        return await self.session.scalar(select(TradingProfile).where(TradingProfile.user_id == user_id))

    async def brokers_of(self, user_ids: Collection[int]) -> dict[int, str]:
        """The chosen broker of each of these users that has a profile (the others: the default)."""
        rows = await self.session.execute(select(TradingProfile.user_id, TradingProfile.broker)
                                          .where(TradingProfile.user_id.in_(sorted(user_ids))))
        return {user_id: broker for user_id, broker in rows}

    async def get_or_create(self, user_id: int, default_broker: str) -> tuple[TradingProfile, bool]:
        """The profile, and whether this call created it (the caller must then commit)."""
        profile = await self.get(user_id)
        if profile is not None:
            return profile, False
        if profile is None:
            # Two first requests may race: insert-or-ignore, then read whichever row won.
            dialect = self.session.bind.dialect.name
            insert = upsert_insert(dialect)
            await self.session.execute(
                insert(TradingProfile)
                .values(user_id=user_id, broker=default_broker, analyze_mode=False, order_mode="auto",
                        updated_at=utcnow())
                .on_conflict_do_nothing(index_elements=["user_id"])
            )
            profile = await self.get(user_id)
        return profile, True

    async def set_analyze_mode(self, user_id: int, enabled: bool) -> None:
        await self.session.execute(
            update(TradingProfile).where(TradingProfile.user_id == user_id).values(analyze_mode=enabled)
        )

    async def set_broker(self, user_id: int, broker: str) -> None:
        await self.session.execute(
            update(TradingProfile).where(TradingProfile.user_id == user_id).values(broker=broker)
        )
