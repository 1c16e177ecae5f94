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
from brokers.contract.protocols import (
    DataClient,
    ExecutionClient,
    InstrumentLookup,
    InstrumentProvider,
    StreamingAdapter,
)


@dataclass(frozen=True)
class BrokerSession:
    """What a successful broker login yields; tokens are encrypted by the backend before storage."""

    broker: str
    access_token: str = field(repr=False)
    expires_at: datetime  # tz-aware; the broker's daily rollover
    broker_user_id: str = ""
    feed_token: str | None = field(default=None, repr=False)
    # Anything else later calls need (api key, client code, feed URL…), stored encrypted with the token.
    extra: Mapping[str, str] = field(default_factory=dict, repr=False)


@runtime_checkable
class BrokerPlugin(Protocol):
    manifest: BrokerManifest
    capabilities: Capabilities
    # IST wall-clock time at which this broker's tokens die every day (03:00–03:30 for most).
    session_rollover: time

    def login_url(self, credentials: Mapping[str, str], state: str) -> str | None:
        """OAuth brokers: where to send the user; None for credential/TOTP brokers. A broker whose
        login must first be registered server-side (Dhan's consent) also defines
        `async def prepare_login(credentials, state) -> str`, which the core awaits first."""
        ...

    async def authenticate(self, credentials: Mapping[str, str], params: Mapping[str, str]) -> BrokerSession:
        """Finish a login: OAuth callback parameters, or the credential form (client code, PIN, TOTP)."""
        ...

    # The clients translate through `instruments` (the broker's installed master contract): our
    # symbol → the broker's token/trading symbol on the way out, and back on the way in (books,
    # ticks). A broker row with no instrument in the master is reported, never dropped silently.
    def data_client(self, session: BrokerSession, instruments: InstrumentLookup) -> DataClient: ...

    def execution_client(self, session: BrokerSession, instruments: InstrumentLookup) -> ExecutionClient: ...

    def streaming_adapter(self, session: BrokerSession, instruments: InstrumentLookup) -> StreamingAdapter:
        """A new, unconnected main-feed connection (books of `capabilities.feed_depth_levels`).

        A plugin declaring `capabilities.deep_depth` also accepts a keyword
        `depth_levels: int | None = None`: given one of `deep_depth.levels`, it returns an adapter
        for that book size (its own socket or a deep mode of the feed socket; see `DeepDepth`).
        Callers pass the keyword only to plugins that declare deep depth, so others keep this
        two-argument signature."""
        ...

    def instrument_provider(self, session: BrokerSession | None = None) -> InstrumentProvider:
        """Brokers whose master file needs a login get the session; public files ignore it."""
        ...

    async def close(self) -> None: ...
