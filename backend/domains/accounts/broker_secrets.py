"""Broker credentials and login tokens, Fernet-encrypted at rest (key derived from the pepper).

Only the broker plugins receive plaintext, through these functions; no route returns them and
their reprs are masked so an accidental log line shows `***`. Tokens expire daily at
SESSION_EXPIRY_TIME IST, as Indian brokers' do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.security import DecryptionError
from backend.domains.accounts.models import BrokerToken
from backend.domains.accounts.repository import BrokerSecretRepository
from backend.domains.accounts.runtime import runtime_of
from backend.domains.accounts.web_sessions import next_expiry


@dataclass(frozen=True)
class BrokerSession:
    broker: str
    broker_user_id: str
    access_token: str = field(repr=False)
    feed_token: str | None = field(default=None, repr=False)


async def save_broker_credentials(session: AsyncSession, user_id: int, broker: str, values: dict[str, str]) -> None:
    encrypted = runtime_of(session).secrets.encrypt(orjson.dumps(values).decode())
    await BrokerSecretRepository(session).save_credential(user_id, broker, encrypted)


async def get_broker_credentials(session: AsyncSession, user_id: int, broker: str) -> dict[str, str] | None:
    row = await BrokerSecretRepository(session).credential(user_id, broker)
    if row is None:
        return None
    try:
        return orjson.loads(runtime_of(session).secrets.decrypt(row.secrets_encrypted))
    except DecryptionError:
        return None


async def save_broker_token(session: AsyncSession, user_id: int, broker: str, access_token: str, *,
                            feed_token: str | None = None, broker_user_id: str = "") -> None:
    """Store a fresh broker login (replacing any earlier one), valid until the next daily expiry."""
    runtime = runtime_of(session)
    secrets = runtime.secrets
    repo = BrokerSecretRepository(session)
    row = await repo.token(user_id, broker)
    if row is None:
        row = BrokerToken(user_id=user_id, broker=broker)
    row.broker_user_id = broker_user_id[:64]
    row.access_token_encrypted = secrets.encrypt(access_token)
    row.feed_token_encrypted = secrets.encrypt(feed_token) if feed_token else None
    row.expires_at = next_expiry(runtime.clock(), runtime.settings.session_expiry_time)
    row.revoked_at = None
    await repo.save_token(row)


async def get_broker_session(session: AsyncSession, user_id: int, broker: str | None = None) -> BrokerSession | None:
    """The user's live (not revoked, not expired) broker login — the named broker's, or the first."""
    runtime = runtime_of(session)
    for row in await BrokerSecretRepository(session).live_tokens(user_id, runtime.clock()):
        if broker is not None and row.broker != broker:
            continue
        try:
            return BrokerSession(
                broker=row.broker, broker_user_id=row.broker_user_id,
                access_token=runtime.secrets.decrypt(row.access_token_encrypted),
                feed_token=runtime.secrets.decrypt(row.feed_token_encrypted) if row.feed_token_encrypted else None,
            )
        except DecryptionError:
            continue  # pepper changed: the user must log in to the broker again
    return None


async def revoke_broker_session(session: AsyncSession, user_id: int, broker: str) -> bool:
    return await BrokerSecretRepository(session).revoke_token(user_id, broker, runtime_of(session).clock())
