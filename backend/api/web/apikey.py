"""The signed-in user's own API key: show it again, or regenerate it (the old one dies at once)."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api.deps import SessionDep, WebUser
from backend.api.web.auth import ok
from backend.core.responses import FastJSONResponse
from backend.domains.accounts import service

router = APIRouter(prefix="/web/apikey", tags=["apikey"])


@router.get("")
async def show_api_key(caller: WebUser, session: SessionDep) -> FastJSONResponse:
    response = ok({"api_key": await service.get_api_key(session, caller.id)})
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("")
async def regenerate_api_key(caller: WebUser, session: SessionDep) -> FastJSONResponse:
    key = await service.regenerate_api_key(session, caller.id)
    await session.commit()
    response = ok({"api_key": key})
    response.headers["Cache-Control"] = "no-store"
    return response
