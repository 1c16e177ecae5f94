"""Administration: users (create, reset password, enable/disable) and IP bans."""

from __future__ import annotations

from fastapi import APIRouter, Request

from backend.api.deps import AdminUser, SessionDep
from backend.api.web.auth import ok
from backend.api.web.schemas import AdminPasswordBody, IpBanBody, NewUserBody, UserActiveBody
from backend.core.client_ip import client_ip
from backend.core.errors import AppError, NotFoundError
from backend.core.responses import FastJSONResponse
from backend.domains.accounts import service, web_sessions
from backend.domains.accounts.ip_bans import list_active_bans, normalise_ip
from backend.domains.accounts.models import User

router = APIRouter(prefix="/web/admin", tags=["admin"])


def _user_view(user: User) -> dict:
    return {"id": user.id, "username": user.username, "is_admin": user.is_admin, "is_active": user.is_active,
            "totp_enabled": user.totp_enabled, "created_at": user.created_at}


@router.get("/users")
async def list_users(_: AdminUser, session: SessionDep) -> FastJSONResponse:
    return ok([_user_view(user) for user in await service.list_users(session)])


@router.post("/users")
async def create_user(body: NewUserBody, _: AdminUser, session: SessionDep) -> FastJSONResponse:
    user = await service.create_user(session, body.username, body.password, is_admin=body.is_admin)
    await service.regenerate_api_key(session, user.id)
    await session.commit()
    return ok(_user_view(user))


@router.post("/users/{user_id}/password")
async def reset_user_password(user_id: int, body: AdminPasswordBody, _: AdminUser,
                              session: SessionDep) -> FastJSONResponse:
    user = await service.get_user(session, user_id)
    await service.set_password(session, user, body.new_password)
    await web_sessions.end_all_sessions(session, user.id)
    await session.commit()
    return ok(message="Password reset; the user's sessions were signed out")


@router.post("/users/{user_id}/active")
async def set_user_active(user_id: int, body: UserActiveBody, caller: AdminUser,
                          session: SessionDep) -> FastJSONResponse:
    if user_id == caller.id and not body.active:
        raise AppError("You cannot disable your own account", 400)
    user = await service.set_active(session, user_id, body.active)
    if not body.active:
        await web_sessions.end_all_sessions(session, user.id)
    await session.commit()
    return ok(_user_view(user))


@router.get("/ip-bans")
async def list_ip_bans(_: AdminUser, session: SessionDep) -> FastJSONResponse:
    return ok([{"ip": ban.ip, "reason": ban.reason, "expires_at": ban.expires_at, "created_at": ban.created_at}
               for ban in await list_active_bans(session)])


@router.post("/ip-bans")
async def ban_ip(body: IpBanBody, caller: AdminUser, request: Request) -> FastJSONResponse:
    ip = normalise_ip(body.ip)
    if ip == client_ip(request.scope):
        raise AppError("You cannot ban the address you are connected from", 400)
    expires_at = await request.app.state.ip_guard.ban(ip, body.reason or "manual", body.duration_seconds,
                                                      created_by=caller.id)
    return ok({"ip": ip, "expires_at": expires_at})


@router.delete("/ip-bans/{ip}")
async def unban_ip(ip: str, _: AdminUser, request: Request) -> FastJSONResponse:
    if not await request.app.state.ip_guard.unban(normalise_ip(ip)):
        raise NotFoundError("IP is not banned")
    return ok(message="IP unbanned")
