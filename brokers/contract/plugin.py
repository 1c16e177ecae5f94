"""The broker plugin: one object per broker that turns credentials into a session and a session
into the data, execution and streaming clients. The registry builds it from the manifest's
`entrypoint` ("package.module:factory")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Protocol, runtime_checkable

from brokers.contract.capabilities import Capabilities
from brokers.contract.manifest import BrokerManifest
from brokers.contract.protocols import DataClient, ExecutionClient, InstrumentProvider, StreamingAdapter


@dataclass(frozen=True)
class BrokerSession:
    """What a successful broker login yields; tokens are encrypted by the backend before storage."""

    broker: str
    access_token: str
    expires_at: datetime  # tz-aware; the broker's daily rollover
    broker_user_id: str = ""
    feed_token: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


@runtime_checkable
class BrokerPlugin(Protocol):
    manifest: BrokerManifest
    capabilities: Capabilities
    # IST wall-clock time at which this broker's tokens die every day (03:00–03:30 for most).
    session_rollover: time

    def login_url(self, credentials: Mapping[str, str], state: str) -> str | None:
        """OAuth brokers: where to send the user; None for credential/TOTP brokers."""
        ...

    async def authenticate(self, credentials: Mapping[str, str], params: Mapping[str, str]) -> BrokerSession:
        """Finish a login: OAuth callback parameters, or the credential form (client code, PIN, TOTP)."""
        ...

    def data_client(self, session: BrokerSession) -> DataClient: ...

    def execution_client(self, session: BrokerSession) -> ExecutionClient: ...

    def streaming_adapter(self, session: BrokerSession) -> StreamingAdapter: ...

    def instrument_provider(self) -> InstrumentProvider: ...

    async def close(self) -> None: ...
