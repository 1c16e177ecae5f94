"""Database engines and sessions.

Two stores: the main one (accounts, orders, instruments …) and a logs store for high-volume
traffic/API logs. On SQLite they are separate files so a burst of log writes never holds the
lock that an order write needs; on PostgreSQL both live in one pooled database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import DateTime, MetaData, TypeDecorator, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import NullPool

from backend.core.clock import utcnow
from backend.core.settings import Settings

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class AwareDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite stores no offset and returns naive
    values; without this, comparing them with `utcnow()` raises or, worse, silently shifts by 5:30)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to an AwareDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Main store: accounts, orders, positions, instruments."""

    metadata = MetaData(naming_convention=NAMING)


class LogBase(DeclarativeBase):
    """Logs store: traffic, API and latency logs."""

    metadata = MetaData(naming_convention=NAMING)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


def upsert_insert(dialect: str):
    """The `insert` construct with `on_conflict_do_*` for `dialect` ("sqlite" or "postgresql").
    Imported on use: a SQLite deployment never loads the PostgreSQL dialect (~2 MB)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _sqlite_pragmas(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # pragma: no cover - exercised by every test
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def make_engine(url: str, settings: Settings) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=settings.db_echo, poolclass=NullPool
                                     if parsed.database == ":memory:" else None)
        _sqlite_pragmas(engine, settings.sqlite_busy_timeout_ms)
        return engine
    return create_async_engine(
        url,
        echo=settings.db_echo,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_pre_ping=True,
    )


@dataclass
class Database:
    """The app's two engines and their session factories."""

    engine: AsyncEngine
    logs_engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    log_sessions: async_sessionmaker[AsyncSession]

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        engine = make_engine(settings.main_database_url, settings)
        logs_engine = (
            engine if settings.logs_url == settings.main_database_url else make_engine(settings.logs_url, settings)
        )
        return cls(
            engine=engine,
            logs_engine=logs_engine,
            sessions=async_sessionmaker(engine, expire_on_commit=False),
            log_sessions=async_sessionmaker(logs_engine, expire_on_commit=False),
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        if self.logs_engine is not self.engine:
            async with self.logs_engine.connect() as conn:
                await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.logs_engine is not self.engine:
            await self.logs_engine.dispose()
