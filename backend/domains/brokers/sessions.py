"""The broker session lifecycle per user, as an explicit state machine rather than a check buried
in a request hook.

    not_connected ──login──► connected ──(rollover − warning)──► expiring ──rollover──► expired
          ▲                                                                              │
          └──────────────── re-authenticating ◄──────── login started ◄──────────────────┘

State is derived from the stored token (expiry, revocation) and a re-authentication marker, so
every worker agrees without coordination. At each broker's daily rollover a scheduled job revokes
the due tokens with one conditional UPDATE and tells the caller which users lost their session, so
their upstream feeds can be torn down and every client told to log in again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum

import orjson
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.clock import utcnow
from backend.core.security import DecryptionError, Secrets
from backend.domains.accounts.models import BrokerToken
from brokers.common.rollover import next_daily
from brokers.contract import BrokerSession

EXPIRY_WARNING = timedelta(minutes=30)
REAUTH_WINDOW = timedelta(minutes=10)


class SessionState(StrEnum):
    NOT_CONNECTED = "not_connected"
    CONNECTED = "connected"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    REAUTHENTICATING = "re_authenticating"


@dataclass(frozen=True)
class SessionStatus:
    broker: str
    state: SessionState
    expires_at: datetime | None = None
    message: str = ""


def next_rollover(now: datetime, rollover: time) -> datetime:
    """The next daily rollover (IST wall clock) strictly after `now`."""
    return next_daily(rollover, now)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def state_of(token: BrokerToken | None, now: datetime, reauth_started: datetime | None = None) -> SessionState:
    if reauth_started is not None and now - reauth_started < REAUTH_WINDOW:
        if token is None or token.revoked_at is not None or _aware(token.expires_at) <= now:
            return SessionState.REAUTHENTICATING
    if token is None:
        return SessionState.NOT_CONNECTED
    expires_at = _aware(token.expires_at)
    if token.revoked_at is not None or expires_at <= now:
        return SessionState.EXPIRED
    if expires_at - now <= EXPIRY_WARNING:
        return SessionState.EXPIRING
    return SessionState.CONNECTED


MESSAGES = {
    SessionState.NOT_CONNECTED: "Not connected to the broker. Log in to your broker first.",
    SessionState.EXPIRED: "Broker session expired, log in again.",
    SessionState.REAUTHENTICATING: "Broker login in progress.",
    SessionState.EXPIRING: "Broker session expires soon.",
    SessionState.CONNECTED: "",
}


class BrokerSessions:
    """Stores, reads and expires broker sessions; tokens are Fernet-encrypted at rest."""

    def __init__(self, secrets: Secrets) -> None:
        self.secrets = secrets
        self._reauth: dict[tuple[int, str], datetime] = {}

    async def _latest(self, session: AsyncSession, user_id: int, broker: str) -> BrokerToken | None:
        return await session.scalar(
            select(BrokerToken).where(BrokerToken.user_id == user_id, BrokerToken.broker == broker)
            .order_by(BrokerToken.id.desc()).limit(1))

    async def save(self, session: AsyncSession, user_id: int, login: BrokerSession) -> None:
        """A successful login replaces any earlier token of the same broker (one row per broker)."""
        values = {
            "broker_user_id": login.broker_user_id[:64],
            "access_token_encrypted": self.secrets.encrypt(login.access_token),
            "feed_token_encrypted": self.secrets.encrypt(login.feed_token) if login.feed_token else None,
            "extra_encrypted": self.secrets.encrypt(orjson.dumps(dict(login.extra)).decode()) if login.extra else None,
            "expires_at": login.expires_at.astimezone(UTC),  # SQLite keeps no offset: store UTC
            "revoked_at": None,
        }
        token = await self._latest(session, user_id, login.broker)
        if token is None:
            session.add(BrokerToken(user_id=user_id, broker=login.broker, **values))
        else:
            for name, value in values.items():
                setattr(token, name, value)
        await session.flush()
        self._reauth.pop((user_id, login.broker), None)

    def begin_reauthentication(self, user_id: int, broker: str, now: datetime | None = None) -> None:
        self._reauth[(user_id, broker)] = now or utcnow()

    async def status(self, session: AsyncSession, user_id: int, broker: str,
                     now: datetime | None = None) -> SessionStatus:
        now = now or utcnow()
        token = await self._latest(session, user_id, broker)
        state = state_of(token, now, self._reauth.get((user_id, broker)))
        expires = _aware(token.expires_at) if token is not None else None
        return SessionStatus(broker, state, expires, MESSAGES[state])

    async def load(self, session: AsyncSession, user_id: int, broker: str,
                   now: datetime | None = None) -> BrokerSession | None:
        """The usable session, or None when not connected or expired."""
        now = now or utcnow()
        token = await self._latest(session, user_id, broker)
        if state_of(token, now) not in (SessionState.CONNECTED, SessionState.EXPIRING):
            return None
        assert token is not None
        try:
            return BrokerSession(
                broker=broker, access_token=self.secrets.decrypt(token.access_token_encrypted),
                expires_at=_aware(token.expires_at), broker_user_id=token.broker_user_id,
                feed_token=self.secrets.decrypt(token.feed_token_encrypted) if token.feed_token_encrypted else None,
                extra=orjson.loads(self.secrets.decrypt(token.extra_encrypted)) if token.extra_encrypted else {})
        except DecryptionError:  # the pepper changed: the user must log in to the broker again
            return None

    async def revoke(self, session: AsyncSession, user_id: int, broker: str, now: datetime | None = None) -> bool:
        """Broker logout, or the broker rejected the token: the session is dead until the next login."""
        result = await session.execute(
            update(BrokerToken).where(BrokerToken.user_id == user_id, BrokerToken.broker == broker,
                                      BrokerToken.revoked_at.is_(None))
            .values(revoked_at=now or utcnow()).execution_options(synchronize_session=False))
        session.expire_all()
        return bool(result.rowcount)

    async def expire_due(self, session: AsyncSession, now: datetime | None = None,
                         broker: str | None = None) -> list[tuple[int, str]]:
        """Revoke every live token whose expiry has passed; returns the (user id, broker) pairs
        revoked — each once, so with several workers only one of them reports it."""
        now = now or utcnow()
        statement = (update(BrokerToken)
                     .where(BrokerToken.revoked_at.is_(None), BrokerToken.expires_at <= now)
                     .values(revoked_at=now).returning(BrokerToken.user_id, BrokerToken.broker))
        if broker is not None:
            statement = statement.where(BrokerToken.broker == broker)
        result = await session.execute(statement.execution_options(synchronize_session=False))
        expired = sorted({(row[0], row[1]) for row in result})
        session.expire_all()  # loaded tokens may be stale now
        return expired
