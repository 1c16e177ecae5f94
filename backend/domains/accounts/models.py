"""Accounts tables (main store): users, API keys, web sessions, broker secrets, IP bans.

No secret is stored in a form that is usable without the pepper: passwords are peppered argon2id
hashes, API keys an HMAC digest plus a Fernet copy, broker tokens Fernet ciphertext, web session
ids and their CSRF tokens only as digests.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.clock import utcnow
from backend.core.db import Base, TimestampMixin


class User(TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    totp_secret_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Highest TOTP time step already accepted: a code is single-use even inside its 30 s window.
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiKey(TimestampMixin, Base):
    """One live key per user; regenerating replaces the row's digest and ciphertext."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    key_digest: Mapped[str] = mapped_column(String(64), unique=True)
    key_encrypted: Mapped[str] = mapped_column(Text)


class WebSession(TimestampMixin, Base):
    """A signed-in browser. The cookie carries a random id; only its digest is stored."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    session_digest: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    client_ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(256), default="")


class BrokerCredential(TimestampMixin, Base):
    """A user's broker app credentials (API key/secret, client code …), encrypted as one JSON blob."""

    __tablename__ = "broker_credentials"
    __table_args__ = (UniqueConstraint("user_id", "broker"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    broker: Mapped[str] = mapped_column(String(32))
    secrets_encrypted: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class BrokerToken(TimestampMixin, Base):
    """A broker login session: access/feed tokens encrypted, expiring daily like the broker's."""

    __tablename__ = "broker_tokens"
    __table_args__ = (UniqueConstraint("user_id", "broker"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    broker: Mapped[str] = mapped_column(String(32))
    broker_user_id: Mapped[str] = mapped_column(String(64), default="")
    access_token_encrypted: Mapped[str] = mapped_column(Text)
    feed_token_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    extra_encrypted: Mapped[str | None] = mapped_column(Text, default=None)  # JSON of BrokerSession.extra
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class IpBan(TimestampMixin, Base):
    """A banned client address. `expires_at` None: permanent (manual) ban."""

    __tablename__ = "ip_bans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ip: Mapped[str] = mapped_column(String(64), unique=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    created_by: Mapped[int | None] = mapped_column(Integer, default=None)


class InstanceSetup(Base):
    """One row, written by first-run setup. Its fixed primary key makes setup a one-time race:
    a second concurrent setup fails on the insert instead of creating a second admin."""

    __tablename__ = "instance_setup"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    completed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
