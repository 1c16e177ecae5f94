"""Switch a user's order mode (auto | semi_auto); the caller drops the gateway's cached profile."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.domains.trading.models import TradingProfile
from backend.domains.trading.repository import TradingProfileRepository

ORDER_MODES = ("auto", "semi_auto")


async def set_order_mode(session: AsyncSession, user_id: int, mode: str, default_broker: str) -> None:
    if mode not in ORDER_MODES:
        raise ValueError(mode)
    await TradingProfileRepository(session).get_or_create(user_id, default_broker)
    await session.execute(update(TradingProfile).where(TradingProfile.user_id == user_id).values(order_mode=mode))
