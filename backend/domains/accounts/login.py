"""First-run setup, password login (with TOTP), password change and reset. Services flush only."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.errors import AppError
from backend.domains.accounts import service, totp
from backend.domains.accounts.errors import INVALID_CREDENTIALS, NotAuthenticatedError, SetupClosedError
from backend.domains.accounts.models import User
from backend.domains.accounts.repository import SetupRepository, UserRepository

RESET_FAILED = "Invalid username or authentication code"


async def setup_required(session: AsyncSession) -> bool:
    return not await SetupRepository(session).is_complete() and await UserRepository(session).count() == 0


async def setup_first_admin(session: AsyncSession, username: str, password: str) -> User:
    """Create the first administrator (with an API key) once; afterwards 403."""
    if not await setup_required(session):
        raise SetupClosedError()
    try:
        await SetupRepository(session).mark_complete()
    except IntegrityError:
        raise SetupClosedError() from None
    user = await service.create_user(session, username, password, is_admin=True)
    await service.regenerate_api_key(session, user.id)
    return user


async def check_password(session: AsyncSession, username: object, password: object) -> User:
    """The user for a correct password; one message and the same work for every failure."""
    user = await service.authenticate_password(session, username if isinstance(username, str) else "",
                                               password if isinstance(password, str) else "")
    if user is None:
        raise NotAuthenticatedError(INVALID_CREDENTIALS)
    return user


async def check_totp(session: AsyncSession, user: User, code: object) -> None:
    if not await totp.verify_code(session, user, code):
        raise NotAuthenticatedError(totp.INVALID_CODE)


async def change_password(session: AsyncSession, user: User, current: str, new: str) -> None:
    if not await service.authenticate_password(session, user.username, current):
        raise AppError("Current password is incorrect", 400)
    await service.set_password(session, user, new)


async def reset_password_with_totp(session: AsyncSession, username: str, code: str, new_password: str) -> User:
    """OpenAlgo's reset: username + a fresh TOTP code. Accounts without TOTP ask an admin."""
    user = await UserRepository(session).by_username(username) if isinstance(username, str) else None
    if user is None or not user.totp_enabled or not user.is_active:
        raise AppError(RESET_FAILED, 400)
    service.check_password_policy(new_password, user.username)  # before consuming the code
    if not await totp.verify_code(session, user, code):
        raise AppError(RESET_FAILED, 400)
    await service.set_password(session, user, new_password)
    return user
