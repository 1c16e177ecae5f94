"""The SPA's sign-in routes: setup, session status, login (+TOTP step), logout, password, TOTP.

Login and setup have no session yet, so there is no CSRF token to check; they accept JSON only
(a cross-site HTML form cannot send it without a CORS preflight, which is closed) and are
rate-limited per IP. Every route that acts on a session depends on `WebUser`, which checks CSRF.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from backend.api.deps import SessionDep, WebUser
from backend.api.web.cookies import (
    PENDING_TOTP_COOKIE,
    clear_session_cookies,
    set_pending_totp_cookie,
    set_session_cookies,
)
from backend.api.web.schemas import ChangePasswordBody, LoginBody, ResetPasswordBody, SetupBody, TotpCodeBody
from backend.core.client_ip import client_ip
from backend.core.errors import AuthError
from backend.core.ratelimit import rate_limit
from backend.core.responses import FastJSONResponse
from backend.domains.accounts import login, service, totp, web_sessions
from backend.domains.accounts.auth import CSRF_HEADER
from backend.domains.accounts.errors import NotAuthenticatedError
from backend.domains.accounts.models import User

router = APIRouter(prefix="/auth", tags=["auth"])


def ok(data: object = None, message: str | None = None) -> FastJSONResponse:
    body: dict = {"status": "success"}
    if message:
        body["message"] = message
    if data is not None:
        body["data"] = data
    return FastJSONResponse(body)


async def _signed_in(request: Request, session: SessionDep, user: User) -> FastJSONResponse:
    """Issue a fresh session (never reuse one presented before login: no fixation), commit, set cookies."""
    await web_sessions.end_session(session, request.cookies.get(request.app.state.settings.session_cookie_name))
    issued = await web_sessions.start_session(session, user, client_ip=client_ip(request.scope),
                                              user_agent=request.headers.get("user-agent", ""))
    await session.commit()
    request.state.user_id = user.id
    response = ok({"totp_required": False, "csrf_token": issued.csrf_token})
    set_session_cookies(request, response, issued)
    return response


@router.get("/session")
async def session_status(request: Request, session: SessionDep) -> FastJSONResponse:
    token = request.cookies.get(request.app.state.settings.session_cookie_name)
    user = await web_sessions.resolve_session(session, token)
    if user is None:
        return ok({"authenticated": False, "setup_required": await login.setup_required(session),
                   "user": None, "csrf_token": None})
    return ok({"authenticated": True, "setup_required": False,
               "user": {"id": user.id, "username": user.username, "is_admin": user.is_admin},
               "csrf_token": web_sessions.csrf_token_for(session, token)})


@router.post("/setup", dependencies=[rate_limit("login")])
async def setup(body: SetupBody, session: SessionDep) -> FastJSONResponse:
    await login.setup_first_admin(session, body.username, body.password)
    await session.commit()
    return ok(message="Setup complete; sign in with the new administrator account")


@router.post("/login", dependencies=[rate_limit("login")])
async def sign_in(body: LoginBody, request: Request, session: SessionDep) -> FastJSONResponse:
    user = await login.check_password(session, body.username, body.password)
    if user.totp_enabled:
        if body.totp_code is None:
            await session.commit()  # keep a transparent password rehash
            response = ok({"totp_required": True, "csrf_token": None})
            set_pending_totp_cookie(request, response, web_sessions.pending_totp_ticket(session, user.id))
            return response
        await login.check_totp(session, user, body.totp_code)
    return await _signed_in(request, session, user)


@router.post("/login/totp", dependencies=[rate_limit("login")])
async def sign_in_totp(body: TotpCodeBody, request: Request, session: SessionDep) -> FastJSONResponse:
    user_id = web_sessions.read_pending_totp_ticket(session, request.cookies.get(PENDING_TOTP_COOKIE))
    user = await session.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active or not user.totp_enabled:
        raise NotAuthenticatedError("Sign in with your password first")
    await login.check_totp(session, user, body.code)
    return await _signed_in(request, session, user)


@router.post("/logout")
async def sign_out(request: Request, session: SessionDep) -> FastJSONResponse:
    """Revokes the session server-side. With a live session the CSRF token is required (WebUser);
    without one there is nothing to protect and the call just clears cookies."""
    token = request.cookies.get(request.app.state.settings.session_cookie_name)
    if await web_sessions.resolve_session(session, token) is not None:
        if not web_sessions.csrf_matches(session, token, request.headers.get(CSRF_HEADER)):
            raise AuthError("CSRF token missing or invalid")
        await web_sessions.end_session(session, token)
        await session.commit()
    response = ok(message="Signed out")
    clear_session_cookies(request, response)
    return response


@router.post("/reset-password", dependencies=[rate_limit("login")])
async def reset_password(body: ResetPasswordBody, session: SessionDep) -> FastJSONResponse:
    user = await login.reset_password_with_totp(session, body.username, body.totp_code, body.new_password)
    await web_sessions.end_all_sessions(session, user.id)
    await session.commit()
    return ok(message="Password changed; sign in with the new password")


@router.post("/password")
async def change_password(body: ChangePasswordBody, caller: WebUser, request: Request,
                          session: SessionDep) -> FastJSONResponse:
    user = await service.get_user(session, caller.id)
    await login.change_password(session, user, body.current_password, body.new_password)
    await web_sessions.end_all_sessions(session, user.id)  # every other browser is signed out
    return await _signed_in(request, session, user)


@router.post("/totp/setup")
async def totp_setup(caller: WebUser, session: SessionDep) -> FastJSONResponse:
    """Returns the secret and otpauth URI once, for the authenticator app's QR code."""
    user = await service.get_user(session, caller.id)
    secret, uri = await totp.begin_enrolment(session, user)
    await session.commit()
    return ok({"secret": secret, "otpauth_uri": uri})


@router.post("/totp/enable")
async def totp_enable(body: TotpCodeBody, caller: WebUser, session: SessionDep) -> FastJSONResponse:
    user = await service.get_user(session, caller.id)
    await totp.confirm_enrolment(session, user, body.code)
    await session.commit()
    return ok(message="Two-factor authentication enabled")


@router.post("/totp/disable")
async def totp_disable(body: TotpCodeBody, caller: WebUser, session: SessionDep) -> FastJSONResponse:
    user = await service.get_user(session, caller.id)
    await totp.disable(session, user, body.code)
    await session.commit()
    return ok(message="Two-factor authentication disabled")
