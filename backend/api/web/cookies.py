"""The session and CSRF cookies: HttpOnly session, readable CSRF (double-submit), SameSite=Lax,
Secure whenever the request came over HTTPS (directly or via a trusted proxy)."""

from __future__ import annotations

from datetime import UTC

from fastapi import Request, Response

from backend.domains.accounts.web_sessions import PENDING_TOTP_SECONDS, IssuedSession

PENDING_TOTP_COOKIE = "algogate_totp_pending"


def _secure(request: Request) -> bool:
    return request.app.state.client_ip_resolver.forwarded_https(request.scope)


def set_session_cookies(request: Request, response: Response, issued: IssuedSession) -> None:
    settings = request.app.state.settings
    secure = _secure(request)
    expires = issued.expires_at.astimezone(UTC)  # cookie dates are GMT
    response.set_cookie(settings.session_cookie_name, issued.token, expires=expires, path="/",
                        httponly=True, secure=secure, samesite="lax")
    response.set_cookie(settings.csrf_cookie_name, issued.csrf_token, expires=expires, path="/",
                        httponly=False, secure=secure, samesite="lax")
    _expire(request, response, PENDING_TOTP_COOKIE, "/auth")


def clear_session_cookies(request: Request, response: Response) -> None:
    settings = request.app.state.settings
    _expire(request, response, settings.session_cookie_name, "/")
    _expire(request, response, settings.csrf_cookie_name, "/")
    _expire(request, response, PENDING_TOTP_COOKIE, "/auth")


def _expire(request: Request, response: Response, name: str, path: str) -> None:
    response.delete_cookie(name, path=path, secure=_secure(request), httponly=True, samesite="lax")


def set_pending_totp_cookie(request: Request, response: Response, ticket: str) -> None:
    response.set_cookie(PENDING_TOTP_COOKIE, ticket, max_age=PENDING_TOTP_SECONDS, path="/auth",
                        httponly=True, secure=_secure(request), samesite="strict")
