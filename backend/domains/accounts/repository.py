"""All SQL of the accounts domain. Every user-data query is scoped by `user_id`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.domains.accounts.models import (
    ApiKey,
    BrokerCredential,
    BrokerToken,
    InstanceSetup,
    IpBan,
    User,
    WebSession,
)


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def count(self) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(User)) or 0)

    async def by_id(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def by_username(self, username: str) -> User | None:
        return await self.session.scalar(select(User).where(func.lower(User.username) == username.lower()))

    async def list_all(self) -> list[User]:
        return list(await self.session.scalars(select(User).order_by(User.id)))

    async def add(self, user: User) -> User:
        self.session.add(user)
        await self.session.flush()
        return user

    async def consume_totp_step(self, user_id: int, step: int) -> bool:
        """Record `step` as used; False when it (or a later one) was already used — a replay."""
        result = await self.session.execute(
            update(User).where(User.id == user_id, User.totp_last_step < step).values(totp_last_step=step)
        )
        return result.rowcount == 1


class ApiKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def for_user(self, user_id: int) -> ApiKey | None:
        return await self.session.scalar(select(ApiKey).where(ApiKey.user_id == user_id))

    async def owner_by_digest(self, digest: str) -> tuple[ApiKey, User] | None:
        row = (await self.session.execute(
            select(ApiKey, User).join(User, User.id == ApiKey.user_id).where(ApiKey.key_digest == digest)
        )).first()
        return (row[0], row[1]) if row else None

    async def upsert(self, user_id: int, digest: str, encrypted: str) -> None:
        existing = await self.for_user(user_id)
        if existing is None:
            self.session.add(ApiKey(user_id=user_id, key_digest=digest, key_encrypted=encrypted))
        else:
            existing.key_digest, existing.key_encrypted = digest, encrypted
        await self.session.flush()

    async def delete_for_user(self, user_id: int) -> bool:
        result = await self.session.execute(delete(ApiKey).where(ApiKey.user_id == user_id))
        return result.rowcount > 0


class WebSessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, web_session: WebSession) -> WebSession:
        self.session.add(web_session)
        await self.session.flush()
        return web_session

    async def live_by_digest(self, digest: str, now: datetime) -> tuple[WebSession, User] | None:
        row = (await self.session.execute(
            select(WebSession, User)
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.session_digest == digest, WebSession.revoked_at.is_(None),
                   WebSession.expires_at > now, User.is_active.is_(True))
        )).first()
        return (row[0], row[1]) if row else None

    async def revoke(self, digest: str, now: datetime) -> None:
        await self.session.execute(
            update(WebSession).where(WebSession.session_digest == digest, WebSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def revoke_all_for_user(self, user_id: int, now: datetime) -> None:
        await self.session.execute(
            update(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def delete_dead(self, now: datetime) -> int:
        result = await self.session.execute(
            delete(WebSession).where((WebSession.expires_at <= now) | WebSession.revoked_at.is_not(None))
        )
        return result.rowcount or 0


class BrokerSecretRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def credential(self, user_id: int, broker: str) -> BrokerCredential | None:
        return await self.session.scalar(
            select(BrokerCredential).where(BrokerCredential.user_id == user_id, BrokerCredential.broker == broker)
        )

    async def save_credential(self, user_id: int, broker: str, encrypted: str) -> None:
        row = await self.credential(user_id, broker)
        if row is None:
            self.session.add(BrokerCredential(user_id=user_id, broker=broker, secrets_encrypted=encrypted))
        else:
            row.secrets_encrypted = encrypted
        await self.session.flush()

    async def token(self, user_id: int, broker: str) -> BrokerToken | None:
        return await self.session.scalar(
            select(BrokerToken).where(BrokerToken.user_id == user_id, BrokerToken.broker == broker)
        )

    async def live_tokens(self, user_id: int, now: datetime) -> list[BrokerToken]:
        return list(await self.session.scalars(
            select(BrokerToken).where(BrokerToken.user_id == user_id, BrokerToken.revoked_at.is_(None),
                                      BrokerToken.expires_at > now).order_by(BrokerToken.id)
        ))

    async def save_token(self, row: BrokerToken) -> None:
        self.session.add(row)
        await self.session.flush()

    async def revoke_token(self, user_id: int, broker: str, now: datetime) -> bool:
        result = await self.session.execute(
            update(BrokerToken)
            .where(BrokerToken.user_id == user_id, BrokerToken.broker == broker, BrokerToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return result.rowcount > 0


class IpBanRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def active(self, now: datetime) -> list[IpBan]:
        return list(await self.session.scalars(
            select(IpBan).where((IpBan.expires_at.is_(None)) | (IpBan.expires_at > now)).order_by(IpBan.id)
        ))

    async def by_ip(self, ip: str) -> IpBan | None:
        return await self.session.scalar(select(IpBan).where(IpBan.ip == ip))

    async def upsert(self, ip: str, reason: str, expires_at: datetime | None, created_by: int | None) -> IpBan:
        row = await self.by_ip(ip)
        if row is None:
            row = IpBan(ip=ip, reason=reason, expires_at=expires_at, created_by=created_by)
            self.session.add(row)
        else:
            row.reason, row.expires_at, row.created_by = reason, expires_at, created_by
        await self.session.flush()
        return row

    async def remove(self, ip: str) -> bool:
        result = await self.session.execute(delete(IpBan).where(IpBan.ip == ip))
        return result.rowcount > 0

    async def delete_expired(self, now: datetime) -> int:
        result = await self.session.execute(delete(IpBan).where(IpBan.expires_at.is_not(None),
                                                               IpBan.expires_at <= now))
        return result.rowcount or 0


class SetupRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def is_complete(self) -> bool:
        return await self.session.get(InstanceSetup, 1) is not None

    async def mark_complete(self) -> None:
        """Raises IntegrityError when another setup got there first."""
        self.session.add(InstanceSetup(id=1))
        await self.session.flush()
