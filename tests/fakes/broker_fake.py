"""What every fake broker server under `tests/brokers/<name>/fake.py` offers, so one generic
harness (`tests/brokers/test_live_compat.py`) can run the app and the openalgo SDK against any of
them.

A fake is an independent implementation of the broker's documented wire format on 127.0.0.1:
HTTP JSON (and its error shapes), the master-contract file in the broker's own format, and the
market-data WebSocket with frames built by `struct`/`json` from the documented layout — never by
calling the plugin's own encoder or parser.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class FakeBroker(Protocol):
    name: str  # the plugin's manifest name

    # Endpoint overrides for `BrokerConfig.urls` (every name the plugin reads), valid once started.
    urls: dict[str, str]
    # The values of the manifest's `credential_fields` the fake accepts (API key, secret, client code…).
    credentials: dict[str, str]

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def login_params(self, login_url: str | None) -> Mapping[str, str]:
        """What `plugin.authenticate(credentials, params)` receives for a successful login: for OAuth
        brokers the callback's query parameters, got by following `login_url` to the fake's login
        page (as the browser would); for credential brokers the login form's values (PIN, TOTP…)."""
        ...

    def expire_tokens(self) -> None:
        """From now on every call with an already-issued token gets the broker's token-expired error."""
        ...

    def drop_feed_connections(self) -> None:
        """Close every open market-data WebSocket from the server side (reconnect tests)."""
        ...

    # The fake's instrument universe always contains at least: NSE `SBIN` and `RELIANCE` equities,
    # the `NIFTY` index (NSE_INDEX), one NIFTY future and one NIFTY CE/PE pair (NFO); each with a
    # last price the fake quotes and ticks. It fills MARKET orders at once at the last price and
    # keeps LIMIT orders open until cancelled, so books, positions and funds move like a broker's.
