"""A user's stored broker credentials (API key/secret, client code…: the manifest's
`credential_fields`), Fernet-encrypted at rest with a key derived from the pepper.

Only the broker plugins receive plaintext, through these functions; no route returns them. Login
tokens live in `backend.domains.brokers.sessions`.
"""

from __future__ import annotations

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.security import DecryptionError
from backend.domains.accounts.repository import BrokerSecretRepository
from backend.domains.accounts.runtime import runtime_of


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
