"""Trading profile operations: the broker a user trades through and their analyzer (paper) mode."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from backend.domains.trading.repository import TradingProfileRepository


@dataclass(frozen=True)
class ProfileView:
    user_id: int
    broker: str
    analyze_mode: bool
    order_mode: str


async def get_profile(session: AsyncSession, user_id: int, default_broker: str) -> ProfileView:
    """Read (creating on first use, then committing that insert) the user's trading profile."""
    profile, created = await TradingProfileRepository(session).get_or_create(user_id, default_broker)
    view = ProfileView(profile.user_id, profile.broker, profile.analyze_mode, profile.order_mode)
    if created:
        await session.commit()
    return view


async def set_analyze_mode(session: AsyncSession, user_id: int, enabled: bool, default_broker: str) -> ProfileView:
    repository = TradingProfileRepository(session)
    await repository.get_or_create(user_id, default_broker)
    await repository.set_analyze_mode(user_id, enabled)
    return await get_profile(session, user_id, default_broker)


async def set_broker(session: AsyncSession, user_id: int, broker: str, default_broker: str) -> ProfileView:
    repository = TradingProfileRepository(session)
    await repository.get_or_create(user_id, default_broker)
    await repository.set_broker(user_id, broker)
    return await get_profile(session, user_id, default_broker)
