"""TOTP two-factor authentication: enrol, confirm, verify once (no replay), disable, reset by TOTP."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.errors import AppError
from backend.core.security import DecryptionError, new_totp_secret, totp_matching_step, totp_uri
from backend.domains.accounts.models import User
from backend.domains.accounts.repository import UserRepository
from backend.domains.accounts.runtime import runtime_of

INVALID_CODE = "Invalid or already used authentication code"


async def begin_enrolment(session: AsyncSession, user: User) -> tuple[str, str]:
    """Store a new (not yet active) secret; returns (secret, otpauth URI) for the QR code."""
    if user.totp_enabled:
        raise AppError("Two-factor authentication is already enabled", 409)
    secret = new_totp_secret()
    user.totp_secret_encrypted = runtime_of(session).secrets.encrypt(secret)
    user.totp_last_step = 0
    await session.flush()
    return secret, totp_uri(secret, user.username)


async def verify_code(session: AsyncSession, user: User, code: object) -> bool:
    """True once per valid code: the matched time step is recorded with a conditional update, so
    the same code (or an older one) is refused afterwards, even by a concurrent request."""
    if not isinstance(code, str) or user.totp_secret_encrypted is None:
        return False
    runtime = runtime_of(session)
    try:
        secret = runtime.secrets.decrypt(user.totp_secret_encrypted)
    except DecryptionError:
        return False
    step = totp_matching_step(secret, code, at=runtime.clock().timestamp())
    if step is None:
        return False
    consumed = await UserRepository(session).consume_totp_step(user.id, step)
    if consumed:
        user.totp_last_step = step
    return consumed


async def confirm_enrolment(session: AsyncSession, user: User, code: object) -> None:
    if user.totp_enabled:
        raise AppError("Two-factor authentication is already enabled", 409)
    if user.totp_secret_encrypted is None:
        raise AppError("Start enrolment first", 400)
    if not await verify_code(session, user, code):
        raise AppError(INVALID_CODE, 400)
    user.totp_enabled = True
    await session.flush()


async def disable(session: AsyncSession, user: User, code: object) -> None:
    if not user.totp_enabled:
        raise AppError("Two-factor authentication is not enabled", 400)
    if not await verify_code(session, user, code):
        raise AppError(INVALID_CODE, 400)
    user.totp_enabled = False
    user.totp_secret_encrypted = None
    await session.flush()
