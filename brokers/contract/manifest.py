"""What a broker plugin declares about itself, so the core never probes by trial."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class AuthType(StrEnum):
    NONE = "none"  # the built-in simulator
    OAUTH = "oauth"  # redirect + callback with a request token/code
    TOTP = "totp"  # client code + password/PIN + TOTP
    API_KEY = "api_key"  # app key/secret exchange


@dataclass(frozen=True)
class CredentialField:
    """One input of the broker's set-up or login form. `secret` fields are masked in the UI and
    never echoed back by any API."""

    name: str  # the key in the credentials/params mapping the plugin receives
    label: str
    secret: bool = True
    help: str = ""
    required: bool = True


@dataclass(frozen=True)
class BrokerManifest:
    name: str
    display_name: str
    auth_type: AuthType
    family: str | None = None
    description: str = ""
    # Factory path "module:attribute", called with a `BrokerConfig`; resolved lazily by the registry.
    entrypoint: str = ""
    # Stored once per user, Fernet-encrypted (OpenAlgo's BROKER_API_KEY / BROKER_API_SECRET, client code…).
    credential_fields: tuple[CredentialField, ...] = ()
    # Asked at every login and never stored (PIN, TOTP code…). OAuth brokers usually have none.
    login_fields: tuple[CredentialField, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)
