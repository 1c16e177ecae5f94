"""The Noren REST dialect over the plugin's shared BrokerHttp: `jData=<json>` bodies (Bearer
header or `&jKey=` per member), the `stat: Ok/Not_Ok` envelope, and its errors mapped into our
taxonomy naming the member broker."""

from __future__ import annotations

import json
from typing import Any

import httpx

from brokers.common.http import BrokerHttp
from brokers.contract.errors import BrokerError, OrderRejected, SessionExpired
from brokers.families.noren.member import BEARER, NorenMember

_EXPIRED = ("session expired", "invalid session key", "invalid access token", "token expired",
            "invalid token")


def jdata(payload: dict[str, Any]) -> str:
    """`jData=` + compact JSON. The server splits the body on `&` before parsing JSON and does not
    URL-decode it, so a raw `&` (`M&M-EQ`) is written as the JSON escape `\\u0026`."""
    return "jData=" + json.dumps(payload, separators=(",", ":")).replace("&", "\\u0026")


def is_expired(message: str) -> bool:
    text = message.lower()
    return any(marker in text for marker in _EXPIRED)


def noren_error(broker: str, message: str, *, order: bool = False, status: int = 400) -> BrokerError:
    if is_expired(message):
        return SessionExpired(broker, f"session expired or invalid ({message}); log in again")
    if "exceeds limit" in message.lower():
        return BrokerError(broker, f"rate limit: {message}", 429)
    if order:
        return OrderRejected(broker, message)
    return BrokerError(broker, message, status)


def decode(broker: str, response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        if response.status_code >= 400:
            raise BrokerError(broker, f"broker answered HTTP {response.status_code}",
                              response.status_code) from None
        raise BrokerError(broker, f"unexpected non-JSON answer (HTTP {response.status_code})", 502) from None


class NorenApi:
    """One user's authenticated view of the member's REST root."""

    def __init__(self, http: BrokerHttp, member: NorenMember, token: str, uid: str, actid: str = "") -> None:
        self.http = http
        self.member = member
        self.broker = member.name
        self._token = token
        self.uid = uid
        self.actid = actid or uid

    def _request(self, payload: dict[str, Any], chart: bool) -> dict[str, Any]:
        body = jdata(payload)
        if self.member.body == BEARER and not (chart and self.member.chart_jkey):
            return {"content": body, "headers": {"Authorization": f"Bearer {self._token}",
                                                 "Content-Type": "text/plain"}}
        return {"content": f"{body}&jKey={self._token}",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"}}

    async def call(self, endpoint: str, payload: dict[str, Any], *, group: str = "other", order: bool = False,
                   listing: bool = False, chart: bool = False) -> Any:
        """POST one call; returns the Ok object, or the array for list endpoints ("no data" → []).
        Order writes are never retried; reads are (all Noren calls are POSTs, so say so)."""
        response = await self.http.request(
            "POST", endpoint, group=group, idempotent=not order, session_expired_statuses=(401,),
            **self._request(payload, chart),
        )
        body = decode(self.broker, response)
        if isinstance(body, list):
            if response.status_code >= 400:
                raise BrokerError(self.broker, f"broker answered HTTP {response.status_code}", response.status_code)
            return body
        if not isinstance(body, dict):
            raise BrokerError(self.broker, "unexpected answer shape", 502)
        if body.get("stat") == "Ok" and response.status_code < 400:
            return [] if listing else body
        message = str(body.get("emsg") or body.get("message") or f"HTTP {response.status_code}")
        if listing and "no data" in message.lower():
            return []
        raise noren_error(self.broker, message, order=order,
                          status=response.status_code if response.status_code >= 400 else 400)
