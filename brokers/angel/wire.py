"""SmartAPI's REST conventions: the X-* headers, the `{status, message, errorcode, data}` envelope,
and its failure modes (token codes, the plain-text 403 rate-limit answer) mapped to our errors."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson

from brokers.common.http import BrokerHttp
from brokers.contract.errors import BrokerError, BrokerUnavailable, OrderRejected, SessionExpired

log = logging.getLogger("algogate.brokers.angel")

BROKER = "angel"
DISPLAY = "Angel One"

# Token/session codes that mean "log in again" (reference §8).
TOKEN_CODES = frozenset({"AG8001", "AG8002", "AG8003", "AB8050", "AB8051", "AB1010", "AB1011"})
RATE_LIMIT_TEXT = "exceeding access rate"

# Placeholders SmartAPI accepts for the client-identification headers (reference §2).
_CLIENT_HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json",
    "X-UserType": "USER",
    "X-SourceID": "WEB",
    "X-ClientLocalIP": "CLIENT_LOCAL_IP",
    "X-ClientPublicIP": "CLIENT_PUBLIC_IP",
    "X-MACAddress": "MAC_ADDRESS",
}


class RateLimited(BrokerError):
    def __init__(self, message: str) -> None:
        super().__init__(BROKER, message, 429)


def headers(api_key: str, jwt: str | None = None) -> dict[str, str]:
    result = {**_CLIENT_HEADERS, "X-PrivateKey": api_key}
    if jwt:
        result["Authorization"] = f"Bearer {jwt}"
    return result


class SmartApiRest:
    """One SmartAPI account's REST calls over the plugin's shared `BrokerHttp`."""

    def __init__(self, http: BrokerHttp, api_key: str, jwt: str | None = None, rate_limit_retries: int = 2) -> None:
        self.http = http
        self.api_key = api_key
        self.jwt = jwt
        self.rate_limit_retries = rate_limit_retries

    async def call(self, method: str, path: str, *, group: str, body: Any = None, order: bool = False,
                   idempotent: bool | None = None) -> Any:
        """Send one call and return the envelope's `data`. Orders are never retried; reads that hit
        Angel's rate limit back off and try again."""
        retryable = not order and (idempotent if idempotent is not None else method.upper() == "GET")
        attempts = 1 + (self.rate_limit_retries if retryable else 0)
        for attempt in range(1, attempts + 1):
            try:
                return await self._once(method, path, group=group, body=body, order=order,
                                        idempotent=retryable)
            except RateLimited:
                if attempt == attempts:
                    raise
                await asyncio.sleep(0.5 * attempt)  # the whole window must pass, not just a tick
        raise AssertionError("unreachable")

    async def _once(self, method: str, path: str, *, group: str, body: Any, order: bool, idempotent: bool) -> Any:
        kwargs: dict[str, Any] = {"headers": headers(self.api_key, self.jwt)}
        if body is not None:
            kwargs["content"] = orjson.dumps(body)
        response = await self.http.request(method, path, group=group, idempotent=idempotent,
                                           session_expired_statuses=(401,), **kwargs)
        text = response.text
        if response.status_code in (403, 429) and RATE_LIMIT_TEXT in text.lower():
            raise RateLimited(f"{DISPLAY} rate limit hit on {path.rsplit('/', 1)[-1]}")
        if not text.strip():
            raise BrokerUnavailable(BROKER, f"{DISPLAY} sent an empty response (HTTP {response.status_code})")
        try:
            envelope = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise BrokerError(BROKER, f"{DISPLAY} answered HTTP {response.status_code}: {text[:200]}",
                              502 if response.status_code < 400 else response.status_code) from None
        if not isinstance(envelope, dict):
            raise BrokerError(BROKER, f"{DISPLAY} sent an unexpected response", 502)
        return self._unwrap(envelope, response.status_code, order)

    def _unwrap(self, envelope: dict, http_status: int, order: bool) -> Any:
        code = str(envelope.get("errorcode") or envelope.get("errorCode") or "")
        message = str(envelope.get("message") or "")
        ok = envelope.get("status") is True or envelope.get("success") is True
        if code in TOKEN_CODES:
            raise SessionExpired(BROKER, f"{DISPLAY} session expired ({message}, {code}); log in again")
        if ok and http_status < 400:
            return envelope.get("data")
        text = f"{DISPLAY}: {message or 'request failed'}" + (f" ({code})" if code else "")
        if order:
            raise OrderRejected(BROKER, text)
        status = http_status if http_status >= 400 else 400
        raise BrokerError(BROKER, text, status)
