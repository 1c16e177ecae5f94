"""Alembic migrations for both stores, run in code (at start and by `algogate db upgrade`).

The main store's revisions live in migrations/versions, the logs store's in
migrations/logs_versions, each with its own version table so both can share one PostgreSQL
database.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.core.db import Base, Database, LogBase

Store = Literal["main", "logs"]
ROOT = Path(__file__).resolve().parents[2] / "migrations"
VERSION_TABLES: dict[Store, str] = {"main": "alembic_version", "logs": "alembic_version_logs"}
LOCATIONS: dict[Store, Path] = {"main": ROOT / "versions", "logs": ROOT / "logs_versions"}


def target_metadata(store: Store) -> MetaData:
    import backend.models  # noqa: F401  registers every model on its metadata

    return Base.metadata if store == "main" else LogBase.metadata


def foreign_tables(store: Store) -> set[str]:
    """Tables of the other store (they share one PostgreSQL database) that a diff must ignore."""
    other: Store = "logs" if store == "main" else "main"
    return set(target_metadata(other).tables) | set(VERSION_TABLES.values())


def include_name(store: Store):
    skip = foreign_tables(store)

    def include(name: str | None, type_: str, _parent: dict) -> bool:
        return not (type_ == "table" and name in skip)

    return include


def alembic_config(store: Store, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("path_separator", "os")
    config.set_main_option("script_location", str(ROOT))
    config.set_main_option("version_locations", str(LOCATIONS[store]))
    config.attributes["store"] = store
    config.attributes["version_table"] = VERSION_TABLES[store]
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def _upgrade_store(engine: AsyncEngine, store: Store, revision: str = "head") -> None:
    def run(connection: Connection) -> None:
        logging.getLogger("alembic").setLevel(logging.WARNING)
        command.upgrade(alembic_config(store, connection), revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


async def upgrade(database: Database) -> None:
    """Bring both stores to their latest revision."""
    await _upgrade_store(database.engine, "main")
    await _upgrade_store(database.logs_engine, "logs")
