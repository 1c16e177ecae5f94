"""Per-app accounts state that services reach through their session.

Services take only an `AsyncSession` (routers commit, services flush), yet they need the derived
keys and the API-key cache of *this* app. The app binds both into its session factories'
`info` at start-up, so every session knows them without a global.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.clock import utcnow
from backend.core.db import Database
from backend.core.security import Secrets
from backend.core.settings import Settings
from backend.domains.accounts.schemas import AuthenticatedUser

RUNTIME_KEY = "algogate.accounts"


class ApiKeyCache:
    """digest → user for `ttl` seconds, so the `/api/v1` hot path skips the database.

    Invalidation is per user and immediate in this process; other workers trust an entry for at
    most `ttl` seconds (API_KEY_CACHE_SECONDS), which bounds how long a regenerated key lingers.
    """

    def __init__(self, ttl: float, max_entries: int = 10_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[str, tuple[AuthenticatedUser, float]] = {}
        self._by_user: dict[int, set[str]] = {}

    def get(self, digest: str) -> AuthenticatedUser | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        user, expires = entry
        if time.monotonic() >= expires:
            self._drop(digest)
            return None
        return user

    def put(self, digest: str, user: AuthenticatedUser) -> None:
        if self.ttl <= 0:
            return
        if len(self._entries) >= self.max_entries:
            self.clear()  # bounded memory beats clever eviction for a cache this cheap to refill
        self._entries[digest] = (user, time.monotonic() + self.ttl)
        self._by_user.setdefault(user.id, set()).add(digest)

    def invalidate_user(self, user_id: int) -> None:
        for digest in self._by_user.pop(user_id, set()):
            self._entries.pop(digest, None)

    def clear(self) -> None:
        self._entries.clear()
        self._by_user.clear()

    def _drop(self, digest: str) -> None:
        entry = self._entries.pop(digest, None)
        if entry is not None:
            self._by_user.get(entry[0].id, set()).discard(digest)


@dataclass
class AccountsRuntime:
    settings: Settings
    secrets: Secrets
    api_key_cache: ApiKeyCache
    # Wall clock for session expiry and TOTP; a test may hand in a later time to cross 03:30 IST.
    clock: Callable[[], datetime] = utcnow
    dummy_password_hash: str = field(default="", repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> AccountsRuntime:
        secrets = Secrets.from_settings(settings)
        return cls(settings=settings, secrets=secrets, api_key_cache=ApiKeyCache(settings.api_key_cache_seconds))

    def bind(self, db: Database) -> None:
        db.sessions.configure(info={RUNTIME_KEY: self})
        db.log_sessions.configure(info={RUNTIME_KEY: self})

    def timing_dummy_hash(self) -> str:
        """A real hash to verify against for unknown users, so they cost the same time."""
        if not self.dummy_password_hash:
            self.dummy_password_hash = self.secrets.hash_password("timing-equaliser")
        return self.dummy_password_hash


def runtime_of(session: AsyncSession) -> AccountsRuntime:
    runtime = session.info.get(RUNTIME_KEY)
    if runtime is None:
        raise RuntimeError("session has no accounts runtime; call AccountsRuntime.bind(db) at start-up")
    return runtime


def invalidate_api_key_cache(session: AsyncSession, user_id: int) -> None:
    """Drop the user's cached keys now and again after commit (a request racing the commit could
    otherwise re-cache the old key from the still-committed row)."""
    cache = runtime_of(session).api_key_cache
    cache.invalidate_user(user_id)
    event.listen(session.sync_session, "after_commit", lambda _s: cache.invalidate_user(user_id), once=True)
