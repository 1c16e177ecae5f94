"""Start-up skips Alembic when both stores are already at the head, and only then."""

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from backend.core.migrate import LOCATIONS, ROOT, VERSION_TABLES, is_current, script_heads, upgrade


def alembic_heads(store) -> set[str]:
    config = Config()
    config.set_main_option("path_separator", "os")
    config.set_main_option("script_location", str(ROOT))
    config.set_main_option("version_locations", str(LOCATIONS[store]))
    return set(ScriptDirectory.from_config(config).get_heads())


def test_heads_read_from_the_files_match_alembics():
    for store in ("main", "logs"):
        assert script_heads(store) == alembic_heads(store) and len(script_heads(store)) == 1


async def test_current_only_at_the_head(db):
    assert await is_current(db.engine, "main") and await is_current(db.logs_engine, "logs")
    (head,) = script_heads("main")
    async with db.engine.begin() as conn:  # pretend the last migration has not run yet
        await conn.execute(text(f"UPDATE {VERSION_TABLES['main']} SET version_num = '0001'"))
    try:
        assert not await is_current(db.engine, "main")
    finally:
        async with db.engine.begin() as conn:
            await conn.execute(text(f"UPDATE {VERSION_TABLES['main']} SET version_num = :head"), {"head": head})
    await upgrade(db)  # the fast path: nothing to do, nothing raised
    assert await is_current(db.engine, "main")


async def test_a_fresh_database_is_not_current(tmp_path):
    from backend.core.db import Database
    from tests.conftest import make_settings

    db = Database.from_settings(make_settings(tmp_path / "fresh"))
    try:
        assert not await is_current(db.engine, "main")
        await upgrade(db)
        assert await is_current(db.engine, "main") and await is_current(db.logs_engine, "logs")
    finally:
        await db.dispose()
