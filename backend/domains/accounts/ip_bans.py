"""Persistence of IP bans for the IP guard (backend/core/ipban.py), and the admin listing."""

from __future__ import annotations

import ipaddress
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.clock import utcnow
from backend.core.db import Database
from backend.core.errors import AppError
from backend.domains.accounts.models import IpBan
from backend.domains.accounts.repository import IpBanRepository


class DatabaseBanStore:
    """Each call is its own short transaction: bans must be visible to other workers at once."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def active(self) -> dict[str, datetime | None]:
        async with self.db.sessions() as session:
            rows = await IpBanRepository(session).active(utcnow())
        return {row.ip: row.expires_at for row in rows}

    async def save(self, ip: str, reason: str, expires_at: datetime | None, created_by: int | None) -> None:
        async with self.db.sessions() as session:
            await IpBanRepository(session).upsert(ip, reason, expires_at, created_by)
            await session.commit()

    async def remove(self, ip: str) -> bool:
        async with self.db.sessions() as session:
            removed = await IpBanRepository(session).remove(ip)
            await session.commit()
        return removed

    async def prune_expired(self) -> int:
        async with self.db.sessions() as session:
            removed = await IpBanRepository(session).delete_expired(utcnow())
            await session.commit()
        return removed


def normalise_ip(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise AppError({"ip": ["Not a valid IP address."]}, 400) from None


async def list_active_bans(session: AsyncSession) -> list[IpBan]:
    return await IpBanRepository(session).active(utcnow())
