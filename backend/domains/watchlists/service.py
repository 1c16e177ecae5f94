"""Watchlists: create, replace, delete, list — each user's own, validated against the master."""

from __future__ import annotations

from collections.abc import Callable

import orjson
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.errors import AppError, ConflictError, NotFoundError
from backend.domains.watchlists.models import Watchlist

MAX_LISTS = 20
MAX_ITEMS = 100

Lookup = Callable[[str, str], object | None]


def view(row: Watchlist) -> dict:
    return {"id": row.id, "name": row.name, "items": orjson.loads(row.items)}


def clean_items(items: list[dict[str, str]], lookup: Lookup) -> str:
    if len(items) > MAX_ITEMS:
        raise AppError(f"A watchlist holds at most {MAX_ITEMS} instruments", 400)
    seen, cleaned = set(), []
    for item in items:
        exchange, symbol = item["exchange"].upper(), item["symbol"].upper()
        if lookup(exchange, symbol) is None:
            raise AppError(f"Symbol '{symbol}' not found for exchange '{exchange}'", 400)
        if (exchange, symbol) not in seen:
            seen.add((exchange, symbol))
            cleaned.append({"exchange": exchange, "symbol": symbol})
    return orjson.dumps(cleaned).decode()


async def list_watchlists(session: AsyncSession, user_id: int) -> list[dict]:
    rows = await session.scalars(select(Watchlist).where(Watchlist.user_id == user_id).order_by(Watchlist.id))
    return [view(row) for row in rows]


async def _owned(session: AsyncSession, user_id: int, watchlist_id: int) -> Watchlist:
    row = await session.scalar(select(Watchlist).where(Watchlist.user_id == user_id, Watchlist.id == watchlist_id))
    if row is None:
        raise NotFoundError("Watchlist not found")
    return row


async def create(session: AsyncSession, user_id: int, name: str, items: list[dict], lookup: Lookup) -> dict:
    count = await session.scalar(select(func.count()).select_from(Watchlist).where(Watchlist.user_id == user_id))
    if count >= MAX_LISTS:
        raise AppError(f"At most {MAX_LISTS} watchlists per user", 400)
    row = Watchlist(user_id=user_id, name=name.strip(), items=clean_items(items, lookup))
    session.add(row)
    try:
        await session.flush()
    except IntegrityError:
        raise ConflictError(f"A watchlist named '{name.strip()}' already exists") from None
    return view(row)


async def replace(session: AsyncSession, user_id: int, watchlist_id: int, name: str, items: list[dict],
                  lookup: Lookup) -> dict:
    row = await _owned(session, user_id, watchlist_id)
    row.name, row.items = name.strip(), clean_items(items, lookup)
    try:
        await session.flush()
    except IntegrityError:
        raise ConflictError(f"A watchlist named '{name.strip()}' already exists") from None
    return view(row)


async def remove(session: AsyncSession, user_id: int, watchlist_id: int) -> None:
    await _owned(session, user_id, watchlist_id)
    await session.execute(delete(Watchlist).where(Watchlist.user_id == user_id, Watchlist.id == watchlist_id))
