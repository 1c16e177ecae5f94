"""The XTS envelope `{type, code, description, result}` over one shared BrokerHttp, with XTS's error
shapes mapped into the broker error taxonomy. Interactive calls carry the interactive token,
market-data calls the market-data token, both as a raw `authorization` header (no `Bearer`)."""

from __future__ import annotations

from typing import Any

import httpx

from brokers.common.http import BrokerHttp
from brokers.contract.errors import BrokerError, OrderRejected, SessionExpired


def _envelope(broker: str, response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise BrokerError(broker, f"unreadable answer (HTTP {response.status_code})", 502) from None
    if not isinstance(body, dict):
        raise BrokerError(broker, f"unexpected answer (HTTP {response.status_code})", 502)
    return body


def is_token_error(description: str) -> bool:
    text = description.lower()
    return "invalid token" in text or "token expired" in text or "session expired" in text


class XtsApi:
    """One user's calls: `root` is `interactive` or `md`; the path is relative to that root."""

    def __init__(self, broker: str, http: BrokerHttp, interactive_root: str, md_root: str,
                 interactive_token: str, md_token: str) -> None:
        self.broker = broker
        self.http = http
        self.roots = {"interactive": interactive_root, "md": md_root}
        self.tokens = {"interactive": interactive_token, "md": md_token}

    async def call(self, method: str, root: str, path: str, *, group: str = "other", order: bool = False,
                   **kwargs: Any) -> Any:
        return await request(self.broker, self.http, method, self.roots[root] + path, token=self.tokens[root],
                             group=group, order=order, **kwargs)


async def request(broker: str, http: BrokerHttp, method: str, url: str, *, token: str | None = None,
                  group: str = "other", order: bool = False, login: bool = False, **kwargs: Any) -> Any:
    """Send one call and return `result`. A refused login is a plain BrokerError (bad key), a refused
    token is SessionExpired, a refused order is OrderRejected."""
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["authorization"] = token
    response = await http.request(method, url, group=group, headers=headers, idempotent=False if order else None,
                                  session_expired_statuses=() if login else (401,), **kwargs)
    body = _envelope(broker, response)
    if body.get("type") == "success" and response.status_code < 400:
        return body.get("result")
    description = str(body.get("description") or body.get("message") or f"HTTP {response.status_code}")
    code = str(body.get("code") or "")
    message = f"{description} ({code})" if code else description
    if not login and is_token_error(description):
        raise SessionExpired(broker)
    if order:
        raise OrderRejected(broker, message)
    status = 401 if login and response.status_code in (400, 401, 403) else (
        response.status_code if 400 <= response.status_code < 500 else 502)
    raise BrokerError(broker, message, status)
