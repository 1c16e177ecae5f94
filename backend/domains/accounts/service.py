"""Users, passwords and API keys. Services flush; the caller (router, CLI) commits once."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.clock import utcnow
from backend.core.errors import AppError, NotFoundError
from backend.core.security import DecryptionError, constant_time_equals, new_api_key
from backend.domains.accounts.errors import PasswordPolicyError, UsernameTakenError
from backend.domains.accounts.models import User
from backend.domains.accounts.repository import ApiKeyRepository, UserRepository
from backend.domains.accounts.runtime import AccountsRuntime, invalidate_api_key_cache, runtime_of
from backend.domains.accounts.schemas import AuthenticatedUser

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{2,63}$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256
API_KEY_RE = re.compile(r"^[0-9a-f]{64}$")


def check_username(username: str) -> str:
    if not USERNAME_RE.fullmatch(username or ""):
        raise AppError("Username must be 3-64 characters: letters, digits, '_', '.', '-'", 400)
    return username


def check_password_policy(password: str, username: str) -> None:
    """Min 8 characters, not all of one character class, not the username."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(f"Password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordPolicyError(f"Password must be at most {MAX_PASSWORD_LENGTH} characters")
    classes = sum((
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ))
    if classes < 2:
        raise PasswordPolicyError("Password must mix at least two of: lower case, upper case, digits, symbols")
    if password.lower() == username.lower() or username.lower() in password.lower():
        raise PasswordPolicyError("Password must not contain the username")


async def hash_password(session: AsyncSession, password: str) -> str:
    # argon2 is deliberately slow; keep it off the event loop.
    return await asyncio.to_thread(runtime_of(session).secrets.hash_password, password)


async def create_user(session: AsyncSession, username: str, password: str, *, is_admin: bool = False) -> User:
    check_username(username)
    check_password_policy(password, username)
    users = UserRepository(session)
    if await users.by_username(username) is not None:
        raise UsernameTakenError()
    user = User(username=username, password_hash=await hash_password(session, password), is_admin=is_admin)
    try:
        return await users.add(user)
    except IntegrityError:  # a concurrent request took the name between our check and insert
        raise UsernameTakenError() from None


async def get_user(session: AsyncSession, user_id: int) -> User:
    user = await UserRepository(session).by_id(user_id)
    if user is None:
        raise NotFoundError("User not found")
    return user


async def get_user_by_username(session: AsyncSession, username: str) -> User:
    user = await UserRepository(session).by_username(username)
    if user is None:
        raise NotFoundError("User not found")
    return user


async def authenticate_password(session: AsyncSession, username: str, password: str) -> User | None:
    """The user when the password matches, else None. Unknown users cost the same argon2 work,
    so timing does not reveal which usernames exist. Rehashes when parameters changed."""
    runtime = runtime_of(session)
    secrets = runtime.secrets
    user = await UserRepository(session).by_username(username) if USERNAME_RE.fullmatch(username or "") else None
    stored = user.password_hash if user is not None else await asyncio.to_thread(runtime.timing_dummy_hash)
    matches = await asyncio.to_thread(secrets.verify_password, stored, password or "")
    if user is None or not matches or not user.is_active:
        return None
    if secrets.password_needs_rehash(user.password_hash):
        user.password_hash = await hash_password(session, password)
        await session.flush()
    return user


async def set_password(session: AsyncSession, user: User, new_password: str) -> None:
    check_password_policy(new_password, user.username)
    user.password_hash = await hash_password(session, new_password)
    user.password_changed_at = utcnow()
    await session.flush()


# --- API keys --------------------------------------------------------------------------------


async def regenerate_api_key(session: AsyncSession, user_id: int) -> str:
    """Issue a new 64-hex key for the user (the old one stops working at once); returns it."""
    await get_user(session, user_id)
    secrets = runtime_of(session).secrets
    key = new_api_key()
    await ApiKeyRepository(session).upsert(user_id, secrets.digest(key), secrets.encrypt(key))
    invalidate_api_key_cache(session, user_id)
    return key


async def get_api_key(session: AsyncSession, user_id: int) -> str | None:
    """The user's current key in plaintext (for the owner's UI/CLI), or None if they have none."""
    row = await ApiKeyRepository(session).for_user(user_id)
    if row is None:
        return None
    try:
        return runtime_of(session).secrets.decrypt(row.key_encrypted)
    except DecryptionError:
        return None  # pepper rotated: the key still verifies by digest but cannot be shown again


async def revoke_api_key(session: AsyncSession, user_id: int) -> bool:
    deleted = await ApiKeyRepository(session).delete_for_user(user_id)
    invalidate_api_key_cache(session, user_id)
    return deleted


def cached_api_user(runtime: AccountsRuntime, key: object) -> AuthenticatedUser | None:
    """The hot path: a recently verified key's owner without touching the database, or None."""
    if not isinstance(key, str) or not API_KEY_RE.fullmatch(key):
        return None
    return runtime.api_key_cache.get(runtime.secrets.digest(key))


async def verify_api_key(session: AsyncSession, key: object) -> AuthenticatedUser | None:
    """The key's owner, or None. O(1): HMAC digest → unique index; digests compared in constant time."""
    if not isinstance(key, str) or not API_KEY_RE.fullmatch(key):
        return None
    runtime = runtime_of(session)
    digest = runtime.secrets.digest(key)
    cached = runtime.api_key_cache.get(digest)
    if cached is not None:
        return cached
    found = await ApiKeyRepository(session).owner_by_digest(digest)
    if found is None:
        return None
    api_key, user = found
    if not user.is_active or not constant_time_equals(api_key.key_digest, digest):
        return None
    identity = AuthenticatedUser(id=user.id, username=user.username, is_admin=user.is_admin)
    runtime.api_key_cache.put(digest, identity)
    return identity


async def list_users(session: AsyncSession) -> list[User]:
    return await UserRepository(session).list_all()


async def set_active(session: AsyncSession, user_id: int, active: bool) -> User:
    """Disabling signs the user out of the API at once: their cached key is dropped."""
    user = await get_user(session, user_id)
    user.is_active = active
    await session.flush()
    invalidate_api_key_cache(session, user_id)
    return user
