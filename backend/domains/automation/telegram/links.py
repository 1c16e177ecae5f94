"""Linking a Telegram chat to a user: the user asks the SPA for a one-time code and sends
`/start CODE` (or `/link CODE`) to the bot; the code is consumed by one conditional UPDATE."""

from __future__ import annotations

import secrets

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.clock import utcnow
from backend.core.db import upsert_insert
from backend.domains.automation.models import TelegramLink


def new_code() -> str:
    return secrets.token_urlsafe(12)  # ~96 bits, fits Telegram's 64-char /start parameter


async def issue_code(session: AsyncSession, user_id: int) -> str:
    """A fresh one-time code for the user (an earlier unused one stops working)."""
    code = new_code()
    insert = upsert_insert(session.bind.dialect.name)
    await session.execute(insert(TelegramLink).values(user_id=user_id, link_code=code, alerts_enabled=True)
                          .on_conflict_do_update(index_elements=["user_id"], set_={"link_code": code}))
    return code


async def redeem(session: AsyncSession, code: str, chat_id: int, username: str | None) -> int | None:
    """The linked user's id, or None for an unknown or used code."""
    user_id = await session.scalar(select(TelegramLink.user_id).where(TelegramLink.link_code == code))
    if user_id is None:
        return None
    # One user per chat and one chat per user: the newest link wins.
    await session.execute(update(TelegramLink).where(TelegramLink.chat_id == chat_id, TelegramLink.user_id != user_id)
                          .values(chat_id=None, telegram_username=None, linked_at=None))
    changed = await session.execute(update(TelegramLink).where(TelegramLink.user_id == user_id,
                                                               TelegramLink.link_code == code)
                                    .values(link_code=None, chat_id=chat_id, telegram_username=username,
                                            linked_at=utcnow()))
    return user_id if changed.rowcount == 1 else None


async def unlink(session: AsyncSession, user_id: int) -> None:
    await session.execute(update(TelegramLink).where(TelegramLink.user_id == user_id)
                          .values(chat_id=None, telegram_username=None, linked_at=None, link_code=None))


async def set_alerts(session: AsyncSession, user_id: int, enabled: bool) -> None:
    await session.execute(update(TelegramLink).where(TelegramLink.user_id == user_id).values(alerts_enabled=enabled))


async def link_of(session: AsyncSession, user_id: int) -> TelegramLink | None:
    return await session.scalar(select(TelegramLink).where(TelegramLink.user_id == user_id))


async def user_of_chat(session: AsyncSession, chat_id: int) -> int | None:
    return await session.scalar(select(TelegramLink.user_id).where(TelegramLink.chat_id == chat_id))
