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
class BrokerManifest:
    name: str
    display_name: str
    auth_type: AuthType
    family: str | None = None
    description: str = ""
    # Factory path "module:attribute" returning the broker client; resolved lazily by the registry.
    entrypoint: str = ""
    extra: dict[str, str] = field(default_factory=dict)
