"""Application settings, read from the environment and `.env`.

Every setting is documented in docs/settings.md. Secrets that are missing on first run
(`APP_KEY`, `API_KEY_PEPPER`) are generated into `.env` once and never overwritten.
"""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

GENERATED_SECRETS = ("APP_KEY", "API_KEY_PEPPER")
MIN_SECRET_LENGTH = 32


class SettingsError(Exception):
    """A setting is invalid; the message names the variable and is fit to print as one line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # --- secrets -------------------------------------------------------------------------
    app_key: str = Field(default="", description="Signs web sessions and CSRF tokens.")
    api_key_pepper: str = Field(
        default="", description="Pepper for password hashes, API-key digests and the Fernet key."
    )

    # --- server --------------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = Field(default=5000, ge=0, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    data_dir: Path = Path("data")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    environment: Literal["development", "production", "test"] = "development"
    max_request_bytes: int = Field(default=1_048_576, ge=1024)
    shutdown_grace_seconds: float = Field(default=10.0, ge=0)

    # --- storage -------------------------------------------------------------------------
    database_url: str = Field(default="", description="Empty: SQLite file in DATA_DIR.")
    logs_database_url: str = Field(
        default="", description="Empty: SQLite logs.db in DATA_DIR, or DATABASE_URL for PostgreSQL."
    )
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_echo: bool = False
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0)
    auto_migrate: bool = True
    redis_url: str = ""

    # --- brokers ---------------------------------------------------------------------------
    enabled_brokers: str = Field(default="simulator", description="Comma-separated broker names.")

    # --- streaming ---------------------------------------------------------------------------
    websocket_host: str = "127.0.0.1"
    websocket_port: int = Field(default=8765, ge=0, le=65535)

    @field_validator("api_key_pepper", "app_key")
    @classmethod
    def _secret_length(cls, value: str) -> str:
        if value and len(value) < MIN_SECRET_LENGTH:
            raise ValueError(f"must be at least {MIN_SECRET_LENGTH} characters")
        return value

    @field_validator("database_url", "logs_database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value:
            return value
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError("is not a valid database URL") from exc
        if url.drivername not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @model_validator(mode="after")
    def _secrets_present(self) -> Settings:
        for name in GENERATED_SECRETS:
            if not getattr(self, name.lower()):
                raise ValueError(f"{name} is missing")
        return self

    @cached_property
    def main_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{(self.data_dir / 'algogate.db').as_posix()}"

    @cached_property
    def logs_url(self) -> str:
        """High-volume logs live apart from orders so log writes never block order writes."""
        if self.logs_database_url:
            return self.logs_database_url
        if self.main_database_url.startswith("postgresql"):
            return self.main_database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'logs.db').as_posix()}"

    @property
    def broker_names(self) -> list[str]:
        return [name.strip() for name in self.enabled_brokers.split(",") if name.strip()]


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    location = first.get("loc") or ()
    message = first.get("msg", "invalid value").removeprefix("Value error, ")
    if location:
        return f"{str(location[0]).upper()}: {message}"
    return message


def ensure_env_secrets(env_file: Path) -> list[str]:
    """Write strong values for missing secrets into `env_file` (mode 0600). Never overwrites."""
    existing: dict[str, str] = {}
    if env_file.exists():
        for line in env_file.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition("=")
            if sep:
                existing[key.strip()] = value.strip()
    missing = [n for n in GENERATED_SECRETS if not (os.environ.get(n) or existing.get(n))]
    if not missing:
        return []
    lines = [f"{name}={secrets.token_hex(32)}" for name in missing]
    fd = os.open(env_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        if env_file.stat().st_size and not env_file.read_bytes().endswith(b"\n"):
            handle.write("\n")
        handle.write("\n".join(lines) + "\n")
    os.chmod(env_file, 0o600)
    return missing


def load_settings(env_file: Path | str = ".env", *, generate_secrets: bool = True, **overrides) -> Settings:
    """Load settings, generating first-run secrets; raise SettingsError with one clear line."""
    env_path = Path(env_file)
    if generate_secrets:
        generated = ensure_env_secrets(env_path)
        if generated:
            print(f"algogate: generated {', '.join(generated)} into {env_path} (keep this file secret)")
    try:
        return Settings(_env_file=env_path, **overrides)
    except ValidationError as exc:
        raise SettingsError(f"invalid setting {_describe(exc)}") from None
