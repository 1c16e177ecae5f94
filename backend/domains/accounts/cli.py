"""`algogate user create` and `algogate apikey show|regenerate` (registered by backend/cli.py).

Passwords come from stdin only (never argv, which other local users can read in `ps`).
`apikey show` prints the key alone on one line so scripts can capture it.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable

import click

from backend.core.errors import AppError
from backend.core.settings import Settings


def register(app: click.Group, settings_or_exit: Callable[..., Settings]) -> None:
    @app.group("user", help="User accounts.")
    def user_group() -> None:
        pass

    @app.group("apikey", help="API keys.")
    def key_group() -> None:
        pass

    @user_group.command("create")
    @click.option("--username", required=True, help="Login name (3-64 letters, digits, _ . -).")
    @click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
    @click.option("--admin", is_flag=True, help="Make the user an administrator.")
    def create_user(username: str, password_stdin: bool, admin: bool) -> None:
        """Create a user (the first one closes web setup) with a fresh API key."""
        if not password_stdin:
            click.echo("algogate: pass the password on stdin with --password-stdin", err=True)
            sys.exit(2)
        password = sys.stdin.readline().rstrip("\r\n")

        async def work(session) -> str:
            from backend.domains.accounts import service

            user = await service.create_user(session, username, password, is_admin=admin)
            await service.regenerate_api_key(session, user.id)
            return f"created {'administrator' if admin else 'user'} {user.username} (id {user.id})"

        click.echo(_run(settings_or_exit(), work))

    @key_group.command("show")
    @click.option("--username", required=True, help="Whose key.")
    def show_key(username: str) -> None:
        """Print the user's API key."""

        async def work(session) -> str:
            from backend.domains.accounts import service

            user = await service.get_user_by_username(session, username)
            key = await service.get_api_key(session, user.id)
            if key is None:
                raise AppError(f"{username} has no API key; run `algogate apikey regenerate`", 404)
            return key

        click.echo(_run(settings_or_exit(), work))

    @key_group.command("regenerate")
    @click.option("--username", required=True, help="Whose key.")
    def regenerate_key(username: str) -> None:
        """Replace the user's API key (the old one stops working) and print the new one."""

        async def work(session) -> str:
            from backend.domains.accounts import service

            user = await service.get_user_by_username(session, username)
            return await service.regenerate_api_key(session, user.id)

        click.echo(_run(settings_or_exit(), work))


def _run(settings: Settings, work: Callable[..., Awaitable[str]]) -> str:
    """Migrate, run `work` in one transaction, commit; print domain errors as one line, exit 1."""
    from backend.core.db import Database
    from backend.core.migrate import upgrade
    from backend.domains.accounts.runtime import AccountsRuntime

    async def go() -> str:
        db = Database.from_settings(settings)
        try:
            await upgrade(db)
            AccountsRuntime.from_settings(settings).bind(db)
            async with db.sessions() as session:
                result = await work(session)
                await session.commit()
                return result
        finally:
            await db.dispose()

    try:
        return asyncio.run(go())
    except AppError as exc:
        click.echo(f"algogate: {exc.message}", err=True)
        sys.exit(1)
