"""`algogate` command line: serve, db upgrade, user/apikey management, version.

Every command works non-interactively so scripts and CI can drive it. Built on click, which
uvicorn already brings: the server process then carries no extra CLI framework.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
from pathlib import Path

import click

from backend import __version__
from backend.core.settings import Settings, SettingsError, load_settings


@click.group(help="Algogate trading platform.", context_settings={"help_option_names": ["-h", "--help"]})
def app() -> None:
    pass


@app.group(help="Database maintenance.")
def db() -> None:
    pass


def settings_or_exit(**overrides) -> Settings:
    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        click.echo(f"algogate: {exc}", err=True)
        sys.exit(2)


async def _upgrade(settings: Settings) -> None:
    from backend.core.db import Database
    from backend.core.migrate import upgrade

    database = Database.from_settings(settings)
    try:
        await upgrade(database)
    finally:
        await database.dispose()


async def _pending(settings: Settings) -> bool:
    from backend.core.db import Database
    from backend.core.migrate import pending

    database = Database.from_settings(settings)
    try:
        return await pending(database)
    finally:
        await database.dispose()


def _migrate_child() -> None:
    from backend.core.logging import setup_logging

    settings = load_settings(generate_secrets=False)
    setup_logging(settings.log_level)
    asyncio.run(_upgrade(settings))


def _migrate_aside(settings: Settings) -> None:
    """Apply pending migrations in a short-lived child process. Alembic, with Mako and the revision
    modules, is ~13 MB that a server process would otherwise hold for its whole life after using
    it once."""
    if not asyncio.run(_pending(settings)):
        return
    import multiprocessing

    child = multiprocessing.Process(target=_migrate_child, name="algogate-migrate")
    child.start()
    child.join()
    if child.exitcode != 0:
        click.echo("algogate: applying database migrations failed (see above)", err=True)
        sys.exit(1)


@app.command()
@click.option("--host", help="Interface to bind (default 127.0.0.1).")
@click.option("--port", type=int, help="HTTP port (default 5000).")
@click.option("--workers", type=int, help="Worker processes (default 1).")
@click.option("--data-dir", type=click.Path(path_type=Path), help="Where SQLite files live (default ./data).")
@click.option("--ws-port", type=int, help="Extra OpenAlgo feed port; 0 turns it off.")
def serve(host: str | None, port: int | None, workers: int | None, data_dir: Path | None,
          ws_port: int | None) -> None:
    """Run the server."""
    # Start-up builds about a million objects that live as long as the process (modules, schemas,
    # the instrument master). Collecting garbage while they are being built finds almost nothing
    # and costs ~0.2 s; the app collects once and freezes them when start-up is done. Only when this
    # process is the server: with several workers it is their supervisor, and they start afresh.
    gc.disable()
    overrides = {"HOST": host, "PORT": port, "WORKERS": workers, "DATA_DIR": data_dir, "WEBSOCKET_PORT": ws_port}
    for name, value in overrides.items():
        if value is not None:
            os.environ[name] = str(value)  # inherited by worker processes
    settings = settings_or_exit()
    if settings.workers != 1:
        gc.enable()

    import uvicorn

    from backend.core.logging import setup_logging
    from backend.main import MIGRATED_ENV

    setup_logging(settings.log_level)
    if settings.auto_migrate:
        _migrate_aside(settings)
        os.environ[MIGRATED_ENV] = "1"
    uvicorn.run(
        "backend.main:app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_config=None,
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
        proxy_headers=False,
    )


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to both stores."""
    settings = settings_or_exit()
    asyncio.run(_upgrade(settings))
    click.echo("database is up to date")


@app.command()
def version() -> None:
    """Print the version."""
    click.echo(__version__)


def _register_extensions() -> None:
    """Command groups owned by domains (accounts: user, apikey)."""
    try:
        from backend.domains.accounts.cli import register
    except ModuleNotFoundError:
        return
    register(app, settings_or_exit)


_register_extensions()


def main() -> None:
    try:
        app(prog_name="algogate")
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
