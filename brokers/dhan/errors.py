"""Dhan's error envelopes → the broker error taxonomy.

Trading APIs answer `{"errorType", "errorCode": "DH-9xx", "errorMessage"}` (sometimes with HTTP
200); data APIs answer `{"status": "failed", "data": {"<code>": "<message>"}}`.
"""

from __future__ import annotations

from typing import Any

import httpx

from brokers.contract.errors import BrokerError, OrderRejected, SessionExpired

BROKER = "dhan"

SESSION_CODES = frozenset({"DH-901", "807", "808", "809", "810"})
RATE_CODES = frozenset({"DH-904", "805"})
ACCESS_CODES = frozenset({"DH-902", "806"})
INPUT_CODES = frozenset({"DH-905", "DH-907", "804", "811", "812", "813", "814"})
ORDER_REFUSAL_CODES = frozenset({"DH-903", "DH-905", "DH-906"})


def body_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def error_of(body: Any) -> tuple[str, str] | None:
    """(code, message) when `body` is one of Dhan's error envelopes, else None."""
    if not isinstance(body, dict):
        return None
    if body.get("errorCode") or body.get("errorType"):
        code = str(body.get("errorCode") or body.get("errorType"))
        return code, str(body.get("errorMessage") or body.get("errorType") or code)
    if str(body.get("status", "")).lower() in ("failed", "failure", "error"):
        data = body.get("data")
        if isinstance(data, dict) and data:
            code, message = next(iter(data.items()))
            return str(code), str(message)
        return "unknown", str(body.get("remarks") or body.get("message") or data or "request failed")
    return None


def to_error(code: str, message: str, http_status: int, *, order: bool = False) -> BrokerError:
    text = f"{message} ({code})"
    if code in SESSION_CODES or code == "Invalid_Authentication":
        return SessionExpired(BROKER, f"{text}; log in again")
    if code in RATE_CODES:
        return BrokerError(BROKER, text, 429)
    if code in ACCESS_CODES:
        return BrokerError(BROKER, text, 403)
    if order and (code in ORDER_REFUSAL_CODES or 400 <= http_status < 500):
        return OrderRejected(BROKER, text)
    if code in INPUT_CODES or 400 <= http_status < 500:
        return BrokerError(BROKER, text, 400)
    return BrokerError(BROKER, text, 502)


def check(response: httpx.Response, *, order: bool = False) -> Any:
    """The JSON body of a successful answer; raise the mapped BrokerError otherwise."""
    body = body_of(response)
    error = error_of(body)
    if error is not None:
        raise to_error(*error, response.status_code, order=order)
    if response.status_code >= 400:
        text = response.text[:200] or f"HTTP {response.status_code}"
        if order:
            raise OrderRejected(BROKER, text, 400)
        raise BrokerError(BROKER, text, 400 if response.status_code < 500 else 502)
    if body is None:
        raise BrokerError(BROKER, f"unreadable answer from {response.request.url.path}", 502)
    return body
