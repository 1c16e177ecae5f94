"""Upstox's HTTP dialect on top of the shared BrokerHttp: Bearer headers, the `{status, data}` /
`{status, errors}` envelope, and the mapping of its error bodies into our error taxonomy."""

from __future__ import annotations

from typing import Any

import httpx

from brokers.common.http import BrokerHttp
from brokers.contract.errors import BrokerError, OrderRejected, SessionExpired

BROKER = "upstox"
# Error codes that mean the access token is no longer valid, whatever the HTTP status says.
TOKEN_ERRORS = frozenset({"UDAPI100050"})


def error_text(body: Any) -> tuple[str, str]:
    """(error code, message) of an Upstox error body; tolerant of both field spellings."""
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            codes, messages = [], []
            for item in errors:
                if isinstance(item, dict):
                    codes.append(str(item.get("error_code") or item.get("errorCode") or ""))
                    messages.append(str(item.get("message") or ""))
            return codes[0] if codes else "", "; ".join(m for m in messages if m) or "request failed"
        if body.get("message"):
            return str(body.get("code") or ""), str(body["message"])
    return "", "request failed"


def raise_for_error(response: httpx.Response, *, order: bool = False) -> None:
    """Raise the BrokerError that an Upstox error answer means; return when it is a success."""
    try:
        body = response.json()
    except ValueError:
        body = None
    ok = response.status_code < 400 and (not isinstance(body, dict) or body.get("status", "success") != "error")
    if ok:
        return
    code, message = error_text(body)
    if code in TOKEN_ERRORS:
        raise SessionExpired(BROKER)
    text = f"{message} ({code})" if code else message
    if order and response.status_code < 500 and response.status_code != 429:
        raise OrderRejected(BROKER, text)
    status = {429: 429, 423: 503, 404: 404}.get(response.status_code, 400)
    raise BrokerError(BROKER, text, status)


class UpstoxApi:
    """One session's view of the shared HTTP client: adds the Bearer token to every call."""

    def __init__(self, http: BrokerHttp, access_token: str) -> None:
        self.http = http
        self._headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}

    async def call(self, method: str, path: str, *, group: str = "other", order: bool = False,
                   idempotent: bool | None = None, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        """Send one request and return the envelope's `data`. Orders are never retried."""
        response = await self.http.request(
            method, path, group=group, idempotent=False if order else idempotent,
            headers={**self._headers, **(headers or {})}, **kwargs)
        raise_for_error(response, order=order)
        try:
            body = response.json()
        except ValueError as exc:
            raise BrokerError(BROKER, f"unreadable answer from {path}", 502) from exc
        return body.get("data") if isinstance(body, dict) else body

    async def get(self, path: str, *, group: str = "other", **kwargs: Any) -> Any:
        return await self.call("GET", path, group=group, **kwargs)
