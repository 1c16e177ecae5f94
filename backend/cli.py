"""`algogate` command line: serve, db upgrade, user/apikey management, version.

Every command works non-interactively so scripts and CI can drive it.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from backend import __version__
from backend.core.settings import Settings, SettingsError, load_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Algogate trading platform.")
db_app = typer.Typer(no_args_is_help=True, help="Database maintenance.")
app.add_typer(db_app, name="db")


def settings_or_exit(**overrides) -> Settings:
    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        typer.echo(f"algogate: {exc}", err=True)
        raise typer.Exit(2) from None


async def _upgrade(settings: Settings) -> None:
    from backend.core.db import Database
    from backend.core.migrate import upgrade

    db = Database.from_settings(settings)
    try:
        await upgrade(db)
    finally:
        await db.dispose()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="HTTP port (default 5000).")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default 1).")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Where SQLite files live (default ./data).")] = None,
    ws_port: Annotated[int | None, typer.Option(help="Extra OpenAlgo feed port; 0 turns it off.")] = None,
) -> None:
    """Run the server."""
    overrides = {"HOST": host, "PORT": port, "WORKERS": workers, "DATA_DIR": data_dir, "WEBSOCKET_PORT": ws_port}
    for name, value in overrides.items():
        if value is not None:
            os.environ[name] = str(value)  # inherited by worker processes
    settings = settings_or_exit()

    import uvicorn

    from backend.core.logging import setup_logging
    from backend.main import MIGRATED_ENV

    setup_logging(settings.log_level)
    if settings.auto_migrate:
        asyncio.run(_upgrade(settings))
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


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to both stores."""
    settings = settings_or_exit()
    asyncio.run(_upgrade(settings))
    typer.echo("database is up to date")


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def _register_extensions() -> None:
    """Command groups owned by domains (accounts: user, apikey)."""
    try:
        from backend.domains.accounts.cli import register
    except ModuleNotFoundError:
        return
    register(app, settings_or_exit)


def main() -> None:
    _register_extensions()
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
