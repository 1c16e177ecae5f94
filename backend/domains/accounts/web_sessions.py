"""Web sessions of the SPA: a random id in an HttpOnly cookie, its digest in the database.

Sessions end daily at SESSION_EXPIRY_TIME IST (03:30 by default, when broker tokens expire too),
on logout (revoked server-side) and on password change. Every login issues a fresh id, so an id
planted before login (session fixation) is worthless. The CSRF token is an HMAC of the session
id under APP_KEY: the SPA echoes it in `X-CSRF-Token`, which a cross-site form cannot do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.clock import IST
from backend.core.security import constant_time_equals, new_token
from backend.domains.accounts.models import User, WebSession
from backend.domains.accounts.repository import WebSessionRepository
from backend.domains.accounts.runtime import runtime_of

PENDING_TOTP_SECONDS = 300


def next_expiry(now: datetime, wall_time: str) -> datetime:
    """The first `wall_time` (HH:MM, IST) strictly after `now` — today's or tomorrow's."""
    hours, minutes = (int(part) for part in wall_time.split(":"))
    local = now.astimezone(IST)
    candidate = datetime.combine(local.date(), time(hours, minutes), tzinfo=IST)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), time(hours, minutes), tzinfo=IST)
    return candidate


@dataclass(frozen=True)
class IssuedSession:
    token: str  # goes into the cookie, never stored
    csrf_token: str
    expires_at: datetime


def csrf_token_for(session: AsyncSession, token: str) -> str:
    return runtime_of(session).secrets.sign(f"csrf:{token}")


def csrf_matches(session: AsyncSession, token: str, presented: str | None) -> bool:
    return bool(presented) and constant_time_equals(csrf_token_for(session, token), presented)


async def start_session(session: AsyncSession, user: User, *, client_ip: str, user_agent: str) -> IssuedSession:
    runtime = runtime_of(session)
    now = runtime.clock()
    token = new_token()
    expires_at = next_expiry(now, runtime.settings.session_expiry_time)
    await WebSessionRepository(session).add(WebSession(
        user_id=user.id, session_digest=runtime.secrets.digest(f"session:{token}"), expires_at=expires_at,
        client_ip=client_ip[:64], user_agent=user_agent[:256],
    ))
    return IssuedSession(token=token, csrf_token=csrf_token_for(session, token), expires_at=expires_at)


async def resolve_session(session: AsyncSession, token: str | None) -> User | None:
    """The signed-in user for a cookie value, or None when absent, unknown, revoked or expired."""
    if not token or len(token) > 128:
        return None
    runtime = runtime_of(session)
    found = await WebSessionRepository(session).live_by_digest(runtime.secrets.digest(f"session:{token}"),
                                                               runtime.clock())
    return found[1] if found else None


async def end_session(session: AsyncSession, token: str | None) -> None:
    if token and len(token) <= 128:
        runtime = runtime_of(session)
        await WebSessionRepository(session).revoke(runtime.secrets.digest(f"session:{token}"), runtime.clock())


async def end_all_sessions(session: AsyncSession, user_id: int) -> None:
    await WebSessionRepository(session).revoke_all_for_user(user_id, runtime_of(session).clock())


# --- the half-way state of a TOTP login ---------------------------------------------------------
# After a correct password, a TOTP account gets a short-lived signed ticket (cookie) naming the
# user; `/auth/login/totp` exchanges ticket + code for a real session. Nothing is stored.


def pending_totp_ticket(session: AsyncSession, user_id: int) -> str:
    runtime = runtime_of(session)
    expires = int(runtime.clock().timestamp()) + PENDING_TOTP_SECONDS
    payload = f"{user_id}.{expires}"
    return f"{payload}.{runtime.secrets.sign('totp-pending:' + payload)}"


def read_pending_totp_ticket(session: AsyncSession, ticket: str | None) -> int | None:
    if not ticket or ticket.count(".") != 2:
        return None
    user_id, expires, signature = ticket.split(".")
    runtime = runtime_of(session)
    if not constant_time_equals(runtime.secrets.sign(f"totp-pending:{user_id}.{expires}"), signature):
        return None
    if not (user_id.isdigit() and expires.isdigit()) or int(expires) < runtime.clock().timestamp():
        return None
    return int(user_id)
