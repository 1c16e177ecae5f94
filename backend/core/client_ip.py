"""The client's address, trusting `X-Forwarded-For` only from configured proxies.

Anyone can send `X-Forwarded-For`; believing it from an untrusted peer would let an attacker
dodge bans and rate limits by inventing addresses. We walk the header from the right (the
entries our own proxies appended) and stop at the first address that is not a trusted proxy.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import Scope

SCOPE_KEY = "algogate.client_ip"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ClientIpResolver:
    def __init__(self, trusted: Iterable[str]) -> None:
        self.networks: list[Network] = [ipaddress.ip_network(item, strict=False) for item in trusted]

    def is_trusted(self, address: str) -> bool:
        if not self.networks:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def resolve(self, scope: Scope) -> str:
        """Compute once per request and memoise in the scope (every layer asks)."""
        cached = scope.get(SCOPE_KEY)
        if cached is not None:
            return cached
        client = scope.get("client")
        peer = client[0] if client else "unknown"
        address = peer
        if self.networks and self.is_trusted(peer):
            forwarded = _header(scope, b"x-forwarded-for")
            if forwarded:
                hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
                for hop in reversed(hops):
                    address = hop
                    if not self.is_trusted(hop):
                        break
        scope[SCOPE_KEY] = address
        return address

    def forwarded_https(self, scope: Scope) -> bool:
        if scope.get("scheme") == "https":
            return True
        client = scope.get("client")
        if client and self.is_trusted(client[0]):
            return _header(scope, b"x-forwarded-proto").lower() == "https"
        return False


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return ""


def client_ip(scope: Scope) -> str:
    """The address the IP guard resolved for this request (peer address if it did not run)."""
    cached = scope.get(SCOPE_KEY)
    if cached is not None:
        return cached
    client = scope.get("client")
    return client[0] if client else "unknown"
