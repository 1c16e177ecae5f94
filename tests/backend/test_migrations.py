"""The models and the migration head agree on both SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from backend.core.migrate import VERSION_TABLES, include_name, target_metadata


async def _diff(engine, store):
    def compare(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                                "version_table": VERSION_TABLES[store],
                                                                "include_name": include_name(store)})
        return compare_metadata(context, target_metadata(store))

    async with engine.connect() as conn:
        return await conn.run_sync(compare)


async def test_models_match_migration_head(db):
    assert await _diff(db.engine, "main") == []
    assert await _diff(db.logs_engine, "logs") == []


async def test_upgrade_is_idempotent(db):
    from backend.core.migrate import upgrade

    await upgrade(db)
    await upgrade(db)
