"""Alembic migrations for both stores, run in code (at start and by `algogate db upgrade`).

The main store's revisions live in migrations/versions, the logs store's in
migrations/logs_versions, each with its own version table so both can share one PostgreSQL
database.

Start-up first compares each store's recorded revision with the head read from the revision
files (a regex over a dozen small files, one SELECT); Alembic — a quarter-second import with its
Mako templates — is imported and run only when that shows pending migrations.
"""

from __future__ import annotations

import ast
import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
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


if TYPE_CHECKING:
    from alembic.config import Config

_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


@lru_cache(maxsize=2)
def script_heads(store: Store) -> frozenset[str]:
    """Revisions no other revision builds on, read from the files without importing them."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in LOCATIONS[store].glob("*.py"):
        found = dict(_ASSIGNMENT.findall(path.read_text(encoding="utf-8")))
        if "revision" not in found:
            continue
        revisions.add(ast.literal_eval(found["revision"]))
        down = ast.literal_eval(found.get("down_revision", "None"))
        parents.update([down] if isinstance(down, str) else (down or ()))
    return frozenset(revisions - parents)


async def is_current(engine: AsyncEngine, store: Store) -> bool:
    """True when the store's version table already holds exactly the script heads."""
    heads = script_heads(store)
    if not heads:
        return False
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text(f"SELECT version_num FROM {VERSION_TABLES[store]}"))
            return {row[0] for row in rows} == heads
    except DBAPIError:  # no version table yet: a fresh database
        return False


def alembic_config(store: Store, connection: Connection | None = None) -> Config:
    from alembic.config import Config

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
    if revision == "head" and await is_current(engine, store):
        return

    def run(connection: Connection) -> None:
        from alembic import command

        logging.getLogger("alembic").setLevel(logging.WARNING)
        command.upgrade(alembic_config(store, connection), revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


async def pending(database: Database) -> bool:
    """True when either store has migrations to apply (no Alembic import)."""
    return not (await is_current(database.engine, "main") and await is_current(database.logs_engine, "logs"))


async def upgrade(database: Database) -> None:
    """Bring both stores to their latest revision."""
    await _upgrade_store(database.engine, "main")
    await _upgrade_store(database.logs_engine, "logs")
