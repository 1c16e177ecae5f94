"""What the installation hands a broker plugin when it builds it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx


@dataclass(frozen=True)
class BrokerConfig:
    """`urls` overrides the plugin's endpoints by name (each plugin documents its names, e.g.
    `api`, `login`, `feed`, `master`), which is how tests point a plugin at a local fake broker
    and how a user reaches a broker's UAT host. `redirect_url` is this installation's OAuth
    callback for the broker (`{HOST_SERVER}/{broker}/callback`, as OpenAlgo registers it)."""

    urls: Mapping[str, str] = field(default_factory=dict)
    redirect_url: str = ""
    transport: httpx.AsyncBaseTransport | None = None  # tests only

    def url(self, name: str, default: str) -> str:
        return self.urls.get(name, default).rstrip("/")
