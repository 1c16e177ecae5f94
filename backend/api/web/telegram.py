"""The SPA's Telegram link: status, a one-time link code, unlink, alert preference (session + CSRF)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from backend.api.deps import SessionDep, WebUser
from backend.api.v1.fields import STRICT
from backend.core.errors import ConflictError
from backend.domains.automation.telegram import links

router = APIRouter(prefix="/web/telegram", tags=["web telegram"])


class PreferencesBody(BaseModel):
    model_config = STRICT
    alerts_enabled: bool


def bot_of(request: Request):
    return getattr(request.app.state, "telegram", None)


@router.get("")
async def status(request: Request, caller: WebUser, session: SessionDep) -> dict[str, Any]:
    bot = bot_of(request)
    link = await links.link_of(session, caller.id)
    return {"status": "success", "data": {
        "enabled": bot is not None, "bot_username": bot.username if bot else None,
        "linked": bool(link and link.chat_id is not None),
        "telegram_username": link.telegram_username if link else None,
        "alerts_enabled": link.alerts_enabled if link else True}}


@router.post("/link")
async def create_link_code(request: Request, caller: WebUser, session: SessionDep) -> dict[str, Any]:
    bot = bot_of(request)
    if bot is None:
        raise ConflictError("Telegram bot is not configured (TELEGRAM_BOT_TOKEN)")
    code = await links.issue_code(session, caller.id)
    await session.commit()
    deep_link = f"https://t.me/{bot.username}?start={code}" if bot.username else None
    return {"status": "success", "data": {"code": code, "command": f"/start {code}", "deep_link": deep_link}}


@router.delete("/link")
async def unlink(caller: WebUser, session: SessionDep) -> dict[str, Any]:
    await links.unlink(session, caller.id)
    await session.commit()
    return {"status": "success", "data": {}}


@router.put("/preferences")
async def preferences(body: PreferencesBody, caller: WebUser, session: SessionDep) -> dict[str, Any]:
    await links.set_alerts(session, caller.id, body.alerts_enabled)
    await session.commit()
    return {"status": "success", "data": {"alerts_enabled": body.alerts_enabled}}
