"""Request authentication: the API-key dependency of `/api/v1` routers and the session-cookie
dependencies (with CSRF) of the SPA's routes.

The key is read where OpenAlgo clients put it: JSON body field `apikey` (POST), header
`X-API-KEY`, or query parameter `apikey` (GET endpoints such as `/instruments`). FastAPI caches
the parsed body on the request, so a router may still declare its own pydantic body model.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from backend.core.errors import AppError, AuthError
from backend.domains.accounts.errors import InvalidApiKeyError, NotAuthenticatedError
from backend.domains.accounts.schemas import AuthenticatedUser
from backend.domains.accounts.service import cached_api_user, verify_api_key
from backend.domains.accounts.web_sessions import csrf_matches, resolve_session

__all__ = ["AuthenticatedUser", "admin_user", "api_user", "api_key_from_request", "authenticate_api_key",
           "web_user"]


async def api_key_from_request(request: Request) -> Any:
    """The presented key (not yet verified), or None."""
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and _is_json(request):
        body = await _json_body(request)
        if isinstance(body, dict) and body.get("apikey") not in (None, ""):
            return body["apikey"]
    header = request.headers.get("x-api-key")
    if header:
        return header
    return request.query_params.get("apikey") or None


async def authenticate_api_key(request: Request, key: Any) -> AuthenticatedUser:
    """Verify `key` for this app; raise 403 `Invalid openalgo apikey` (and count it) on failure.

    Routers that validate their body first (so schema errors win, as in OpenAlgo) call this with
    the body's `apikey` instead of depending on `ApiUser`."""
    user = cached_api_user(request.app.state.accounts, key)
    if user is None:
        async with request.app.state.db.sessions() as session:
            user = await verify_api_key(session, key)
    if user is None:
        guard = getattr(request.app.state, "ip_guard", None)
        if guard is not None:
            await guard.record_invalid_api_key(request.scope)
        raise InvalidApiKeyError()
    request.state.user_id = user.id  # read by the traffic log
    return user


async def api_user(request: Request) -> AuthenticatedUser:
    return await authenticate_api_key(request, await api_key_from_request(request))


def _is_json(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return not content_type or "json" in content_type


async def _json_body(request: Request) -> Any:
    cached = getattr(request, "_json", None)
    if cached is not None:
        return cached
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        parsed = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise AppError("Invalid JSON in request body.", 400) from None
    request._json = parsed  # same cache Starlette's Request.json() uses
    return parsed


# --- web sessions (the SPA) ----------------------------------------------------------------------

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADER = "x-csrf-token"


async def web_user(request: Request) -> AuthenticatedUser:
    """The signed-in user of the session cookie (401 otherwise). State-changing methods must also
    carry the CSRF token in `X-CSRF-Token` (403 otherwise): depending on this is enough to be safe."""
    runtime = request.app.state.accounts
    token = request.cookies.get(runtime.settings.session_cookie_name)
    async with request.app.state.db.sessions() as session:
        user = await resolve_session(session, token)
        if user is None:
            raise NotAuthenticatedError("Not authenticated")
        if request.method in UNSAFE_METHODS and not csrf_matches(session, token, request.headers.get(CSRF_HEADER)):
            raise AuthError("CSRF token missing or invalid")
    request.state.user_id = user.id
    return AuthenticatedUser(id=user.id, username=user.username, is_admin=user.is_admin)


async def admin_user(request: Request) -> AuthenticatedUser:
    user = await web_user(request)
    if not user.is_admin:
        raise AuthError("Administrator access required")
    return user
