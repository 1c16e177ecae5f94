"""Alembic environment shared by both stores; backend/core/migrate.py passes the connection,
the store and its version table in `config.attributes`."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from backend.core.migrate import include_name, target_metadata

config = context.config
store = config.attributes.get("store", "main")
version_table = config.attributes.get("version_table", "alembic_version")


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata(store),
        version_table=version_table,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name(store),
    )


def _run(connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # Invoked by the `alembic` CLI by hand: use the configured URL.
    from backend.core.settings import load_settings

    url = load_settings(generate_secrets=False).main_database_url

    async def go() -> None:
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.run_sync(_run)
        await engine.dispose()

    asyncio.run(go())


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `algogate db upgrade`")
run_online()
