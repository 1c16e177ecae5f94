"""Kite Connect's REST conventions over the plugin's shared BrokerHttp: the version and auth
headers, the `{"status", "data"}` envelope and its error types mapped into our taxonomy."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from brokers.common.http import BrokerHttp
from brokers.contract.errors import BrokerError, OrderRejected, SessionExpired

BROKER = "zerodha"
KITE_VERSION = "3"

# Error types that mean "this order was refused" when they answer an order write.
_ORDER_REFUSALS = frozenset({"OrderException", "InputException", "MarginException", "HoldingException"})


def kite_error(response: httpx.Response, *, order: bool = False, login: bool = False) -> BrokerError:
    """The broker error for a non-success answer, carrying Kite's own message."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    message = str(body.get("message") or f"HTTP {response.status_code}")
    error_type = str(body.get("error_type") or "")
    status = response.status_code if response.status_code >= 400 else 502
    if error_type == "TokenException" or (response.status_code == 403 and not error_type):
        if login:  # a bad checksum or a used request token: the login itself failed
            return BrokerError(BROKER, f"login failed: {message}", 401)
        return SessionExpired(BROKER, f"session expired or invalid ({message}); log in again")
    if order and error_type in _ORDER_REFUSALS:
        return OrderRejected(BROKER, message, 400)
    return BrokerError(BROKER, f"{error_type or 'error'}: {message}" if error_type else message, status)


class KiteApi:
    """One user's authenticated view of the shared HTTP client."""

    def __init__(self, http: BrokerHttp, api_key: str, access_token: str) -> None:
        self.http = http
        self._headers = {"X-Kite-Version": KITE_VERSION, "Authorization": f"token {api_key}:{access_token}"}

    async def call(self, method: str, path: str, *, group: str = "other", order: bool = False,
                   params: Sequence[tuple[str, str]] | dict[str, str] | None = None,
                   data: dict[str, str] | None = None, json: Any = None) -> Any:
        """Send one call and return the envelope's `data`. Order writes are never retried."""
        response = await self.http.request(
            method, path, group=group, idempotent=False if order else None, session_expired_statuses=(),
            headers=self._headers, params=params, data=data, json=json,
        )
        return unwrap(response, order=order)


def unwrap(response: httpx.Response, *, order: bool = False, login: bool = False) -> Any:
    if response.status_code >= 400:
        raise kite_error(response, order=order, login=login)
    try:
        body = response.json()
    except ValueError:
        raise BrokerError(BROKER, f"unexpected non-JSON answer (HTTP {response.status_code})", 502) from None
    if not isinstance(body, dict) or body.get("status") != "success":
        raise kite_error(response, order=order, login=login)
    return body.get("data")
