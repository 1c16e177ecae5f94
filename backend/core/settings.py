"""Application settings, read from the environment and `.env`.

Every setting is documented in docs/settings.md. Secrets that are missing on first run
(`APP_KEY`, `API_KEY_PEPPER`) are generated into `.env` once and never overwritten.
"""

from __future__ import annotations

import os
import secrets
from decimal import Decimal
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
    host: str = Field(default="127.0.0.1", description="Interface the HTTP server binds (0.0.0.0 for all).")
    port: int = Field(default=5000, ge=0, le=65535, description="HTTP port of the API, web app and /ws.")
    workers: int = Field(default=1, ge=1, le=64, description="Worker processes; more than one wants REDIS_URL.")
    data_dir: Path = Field(default=Path("data"), description="Where the SQLite files live.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        default="INFO", description="Console log level.")
    environment: Literal["development", "production", "test"] = Field(
        default="development", description="`test` relaxes rate limits for the test suite.")
    symbol_search_prebuild: bool = Field(
        default=False, description="Build the symbol-search arrays at start (about 17 MB more idle memory "
        "for the simulator's 64,000 instruments) instead of on the first search, which then waits ~0.5 s.")
    max_request_bytes: int = Field(default=1_048_576, ge=1024, description="Larger request bodies get 413.")
    shutdown_grace_seconds: float = Field(default=10.0, ge=0,
                                          description="On SIGTERM, how long in-flight requests may finish.")

    # --- storage -------------------------------------------------------------------------
    database_url: str = Field(default="", description="Empty: SQLite file in DATA_DIR.")
    logs_database_url: str = Field(
        default="", description="Empty: SQLite logs.db in DATA_DIR, or DATABASE_URL for PostgreSQL."
    )
    db_pool_size: int = Field(default=10, ge=1, le=200, description="PostgreSQL connections per worker.")
    db_echo: bool = Field(default=False, description="Log every SQL statement (debugging only).")
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0, description="How long SQLite waits for a lock.")
    auto_migrate: bool = Field(default=True, description="Apply pending migrations at start.")
    redis_url: str = Field(default="", description="redis://… : rate limits and the streaming backplane "
                                                   "across workers and hosts. Empty: in-process.")

    # --- brokers ---------------------------------------------------------------------------
    enabled_brokers: str = Field(default="simulator,*", description="Comma-separated broker names the "
        "broker chooser offers; `*` adds every installed plugin. The first is new users' broker.")
    host_server: str = Field(default="http://127.0.0.1:5000",
        description="This installation's public base URL; OAuth brokers redirect to {HOST_SERVER}/{broker}/callback.")
    broker_urls: dict[str, dict[str, str]] = Field(default_factory=dict,
        description='JSON: per broker, endpoint overrides by name, e.g. {"zerodha": {"api": "https://…"}} (UAT hosts, tests).')

    # --- streaming ---------------------------------------------------------------------------
    websocket_host: str = Field(default="127.0.0.1", description="Interface of the OpenAlgo feed port.")
    websocket_port: int = Field(default=8765, ge=0, le=65535,
        description="Extra port for OpenAlgo feed clients (the SDK's default 8765); 0 turns it off.")
    # Hub tunables (issue 7; documented in docs/streaming.md). OpenAlgo's names where it has one.
    stream_throttle_ms: float = Field(default=50.0, ge=0, le=10_000,
                                      description="Per client and symbol, at most one tick per interval; 0: every tick.")
    stream_max_subscriptions_per_client: int = Field(default=1000, ge=1,
        description="Symbol subscriptions one feed client may hold.")
    stream_max_clients_per_user: int = Field(default=50, ge=1, description="Concurrent feed connections per user.")
    stream_client_buffer_bytes: int = Field(default=1_048_576, ge=16_384,
                                            description="Unsent bytes per socket before the hub only coalesces.")
    stream_max_queued_messages: int = Field(default=10_000, ge=100, description="Unthrottled clients only.")
    stream_stuck_client_seconds: float = Field(default=10.0, gt=0, description="Over the buffer this long: closed.")
    ws_auth_grace_seconds: float = Field(default=15.0, gt=0,
        description="A feed client must authenticate within this time.")
    ws_ping_interval: float = Field(default=20.0, gt=0,
        description="Seconds between keep-alive pings to feed clients.")
    ws_ping_timeout: float = Field(default=20.0, gt=0,
        description="A feed client that misses a pong this long is dropped.")
    stream_reconnect_max_seconds: float = Field(default=30.0, gt=0,
        description="Upper bound of the upstream reconnect back-off.")
    stream_stale_connection_seconds: float = Field(default=30.0, gt=0,
                                                   description="Market open, connection silent this long: rebuilt.")
    stream_stale_symbol_seconds: float = Field(default=120.0, gt=0,
                                               description="Market open, symbol silent this long: resubscribed.")
    stream_rest_fallback_seconds: float = Field(default=5.0, gt=0,
        description="While a feed is stale, REST quotes are polled this often.")
    stream_lease_ttl_seconds: float = Field(default=10.0, ge=1, description="Redis ownership lease per symbol.")

    # --- accounts and security (issue 3; documented in docs/security.md) ---------------------
    argon2_time_cost: int = Field(default=2, ge=1, le=20, description="argon2id iterations.")
    argon2_memory_kib: int = Field(default=19_456, ge=1024, le=1_048_576, description="argon2id memory.")
    argon2_parallelism: int = Field(default=1, ge=1, le=16, description="argon2id lanes.")
    session_expiry_time: str = Field(default="03:30", description="IST wall time (HH:MM) web sessions end.")
    session_cookie_name: str = Field(default="algogate_session", description="HttpOnly web-session cookie.")
    csrf_cookie_name: str = Field(default="algogate_csrf", description="Readable CSRF cookie (double-submit).")
    api_key_cache_seconds: float = Field(default=5.0, ge=0, le=300,
                                         description="How long a verified API key is trusted per worker.")
    trusted_proxies: str = Field(default="", description="Comma-separated IPs/CIDRs whose X-Forwarded-For is used.")
    cors_origins: str = Field(default="", description="Comma-separated allowed origins; empty: CORS closed.")
    # Rate limits use `limits` syntax ("10/second;40/minute"). Keyed by client IP, per endpoint.
    rate_limit_enabled: bool | None = Field(
        default=None, description="Unset: on (under ENVIRONMENT=test only the login limit). true/false: all/none.")
    rate_limit_key_prefix: str = Field(default="algogate:ratelimit", description="Redis key prefix of the limits.")
    login_rate_limit: str = Field(default="5 per minute;25 per hour", description="Login, setup, TOTP, reset.")
    order_rate_limit: str = Field(default="10 per second", description="place/modify/cancel order APIs.")
    smart_order_rate_limit: str = Field(default="10 per second", description="placesmartorder.")
    api_rate_limit: str = Field(default="50 per second", description="Other /api/v1 endpoints.")
    greeks_rate_limit: str = Field(default="30 per minute", description="optiongreeks.")
    webhook_rate_limit: str = Field(default="100 per minute", description="Strategy webhooks.")
    # Automation (Action Center, strategy webhooks, Telegram).
    webhook_dedupe_seconds: int = Field(default=10, ge=0, description="A webhook body repeated for the same strategy within this many seconds is ignored as a duplicate delivery.")
    telegram_bot_token: str = Field(default="", description="Telegram bot token (from @BotFather); empty turns the bot off.")
    telegram_api_url: str = Field(default="https://api.telegram.org", description="Telegram Bot API base URL (tests point it at a local fake).")
    telegram_poll_timeout: int = Field(default=20, ge=0, le=50, description="Long-poll timeout of getUpdates, seconds.")
    # IP protection. Thresholds of 0 turn an automatic ban off (OpenAlgo: off by default).
    ban_404_threshold: int = Field(default=0, ge=0, description="404s from one IP within the window → ban.")
    ban_404_window_seconds: int = Field(default=300, ge=1, description="Window of the 404 tracker.")
    ban_invalid_api_key_threshold: int = Field(default=0, ge=0, description="Invalid API keys from one IP → ban.")
    ban_invalid_api_key_window_seconds: int = Field(default=300, ge=1, description="Window of that tracker.")
    ban_duration_seconds: int = Field(default=3600, ge=1, description="Length of an automatic ban.")
    # Traffic/API/latency logs.
    traffic_log_enabled: bool = Field(default=True, description="Write traffic, API and latency logs.")
    log_queue_size: int = Field(default=10_000, ge=100, description="Log rows buffered before dropping.")
    log_batch_size: int = Field(default=500, ge=1, description="Rows per insert.")
    log_flush_seconds: float = Field(default=0.2, gt=0, description="Linger before a log batch is written.")
    log_retention_days: int = Field(default=30, ge=1, description="Older log rows are pruned.")

    # --- sandbox / paper trading (issue 6; documented in docs/paper-trading.md) --------------
    sandbox_starting_capital: Decimal = Field(default=Decimal("10000000"), gt=0,
                                              description="Paper capital per user, rupees (1 crore).")
    sandbox_equity_mis_leverage: Decimal = Field(default=Decimal(5), ge=1, le=50,
        description="Paper margin: intraday equity leverage.")
    sandbox_equity_cnc_leverage: Decimal = Field(default=Decimal(1), ge=1, le=50,
        description="Paper margin: delivery equity leverage.")
    sandbox_futures_leverage: Decimal = Field(default=Decimal(10), ge=1, le=50,
        description="Paper margin: futures leverage.")
    sandbox_option_buy_leverage: Decimal = Field(default=Decimal(1), ge=1, le=50,
        description="Paper margin: option buys (1 = full premium).")
    sandbox_short_option_index_pct: Decimal = Field(default=Decimal("0.08"), gt=0, le=1,
                                                    description="Short index option margin, of strike × qty.")
    sandbox_short_option_stock_pct: Decimal = Field(default=Decimal("0.15"), gt=0, le=1,
        description="Paper margin for a short stock option, as a fraction of strike × quantity.")
    sandbox_short_option_commodity_pct: Decimal = Field(default=Decimal("0.10"), gt=0, le=1,
        description="Paper margin for a short commodity option, fraction of strike × quantity.")
    sandbox_short_option_currency_pct: Decimal = Field(default=Decimal("0.035"), gt=0, le=1,
        description="Paper margin for a short currency option, fraction of strike × quantity.")
    sandbox_price_band_pct: Decimal = Field(default=Decimal("0.20"), ge=0, le=1,
                                            description="LIMIT/SL prices beyond LTP ± this are refused; 0: off.")
    sandbox_limit_fill_on_touch: bool = Field(default=False,
                                              description="Resting LIMITs fill when LTP touches (not only trades through).")
    sandbox_honour_sessions: bool = Field(default=False,
                                          description="Refuse orders outside exchange hours; MIS cut-off at square-off.")
    sandbox_square_off_times: str = Field(default="NSE=15:15,BSE=15:15,NFO=15:15,BFO=15:15,CDS=16:45,BCD=16:45,"
                                                  "MCX=23:30,NCDEX=17:00",
                                          description="MIS auto square-off per exchange, IST HH:MM.")
    sandbox_holidays: str = Field(default="", description="Comma-separated YYYY-MM-DD exchange holidays.")
    sandbox_reset_day: str = Field(default="Never", description="Weekly capital reset day (Monday…Sunday) or Never.")
    sandbox_reset_time: str = Field(default="00:00", description="IST HH:MM of the weekly reset.")
    sandbox_poll_seconds: float = Field(default=15.0, ge=1, le=300,
                                       description="Safety poll of resting orders against fresh quotes.")

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

    @field_validator("login_rate_limit", "order_rate_limit", "smart_order_rate_limit", "api_rate_limit",
                     "greeks_rate_limit", "webhook_rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError('must look like "10 per second" or "5 per minute;25 per hour"') from None
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _trusted_proxies(cls, value: str) -> str:
        import ipaddress

        for item in (part.strip() for part in value.split(",")):
            if item:
                try:
                    ipaddress.ip_network(item, strict=False)
                except ValueError:
                    raise ValueError(f"{item!r} is not an IP address or network") from None
        return value

    @field_validator("session_expiry_time")
    @classmethod
    def _wall_time(cls, value: str) -> str:
        hours, sep, minutes = value.partition(":")
        if not (sep and hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
            raise ValueError("must be HH:MM (24-hour, IST)")
        return f"{int(hours):02d}:{int(minutes):02d}"

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
    def trusted_proxy_list(self) -> list[str]:
        return [item.strip() for item in self.trusted_proxies.split(",") if item.strip()]

    @property
    def cors_origin_list(self) -> list[str]:
        return [item.strip() for item in self.cors_origins.split(",") if item.strip()]

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
