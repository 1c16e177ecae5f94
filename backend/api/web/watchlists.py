"""The SPA's watchlists, persisted per user."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, StringConstraints

from backend.api.deps import SessionDep, WebUser
from backend.api.v1.fields import STRICT
from backend.domains.watchlists import service

router = APIRouter(prefix="/web/watchlists", tags=["web watchlists"])

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class Item(BaseModel):
    model_config = STRICT
    exchange: Annotated[str, Field(min_length=2, max_length=16)]
    symbol: Annotated[str, Field(min_length=1, max_length=64)]


class WatchlistBody(BaseModel):
    model_config = STRICT
    name: Name
    items: list[Item] = []


async def lookup(request: Request, user):
    """Watchlist symbols are checked against the master of the user's broker."""
    return (await request.app.state.gateways.symbols_for(user)).get


@router.get("")
async def list_watchlists(caller: WebUser, session: SessionDep) -> dict[str, Any]:
    return {"status": "success", "data": await service.list_watchlists(session, caller.id)}


@router.post("")
async def create_watchlist(body: WatchlistBody, request: Request, caller: WebUser, session: SessionDep) -> dict:
    created = await service.create(session, caller.id, body.name, [i.model_dump() for i in body.items],
                                   await lookup(request, caller))
    await session.commit()
    return {"status": "success", "data": created}


@router.put("/{watchlist_id}")
async def replace_watchlist(watchlist_id: int, body: WatchlistBody, request: Request, caller: WebUser,
                            session: SessionDep) -> dict[str, Any]:
    replaced = await service.replace(session, caller.id, watchlist_id, body.name,
                                     [i.model_dump() for i in body.items], await lookup(request, caller))
    await session.commit()
    return {"status": "success", "data": replaced}


@router.delete("/{watchlist_id}")
async def delete_watchlist(watchlist_id: int, caller: WebUser, session: SessionDep) -> dict[str, Any]:
    await service.remove(session, caller.id, watchlist_id)
    await session.commit()
    return {"status": "success", "data": {}}
