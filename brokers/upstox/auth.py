"""Upstox's OAuth 2 authorization-code login: the dialog URL, and the code → access-token exchange."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from brokers.common.http import BrokerHttp
from brokers.common.rollover import next_daily
from brokers.contract.errors import BrokerError
from brokers.contract.plugin import BrokerSession
from brokers.upstox.api import BROKER, raise_for_error

IST = ZoneInfo("Asia/Kolkata")
# Upstox access tokens die at 03:30 IST the day after they were issued.
TOKEN_ROLLOVER = time(3, 30)


def _credential(credentials: Mapping[str, str], name: str) -> str:
    value = (credentials.get(name) or "").strip()
    if not value:
        raise BrokerError(BROKER, f"missing credential '{name}'", 400)
    return value


def login_url(login_base: str, credentials: Mapping[str, str], redirect_url: str, state: str) -> str:
    query = {"response_type": "code", "client_id": _credential(credentials, "api_key"),
             "redirect_uri": redirect_url}
    if state:
        query["state"] = state
    return f"{login_base}/v2/login/authorization/dialog?{urlencode(query)}"


def token_expiry(now: datetime) -> datetime:
    """The next 03:30 IST after `now`."""
    return next_daily(TOKEN_ROLLOVER, now)


async def exchange_code(http: BrokerHttp, credentials: Mapping[str, str], params: Mapping[str, str],
                        redirect_url: str, now: datetime | None = None) -> BrokerSession:
    code = (params.get("code") or "").strip()
    if not code:
        reason = params.get("error_description") or params.get("error") or "no authorization code in the callback"
        raise BrokerError(BROKER, f"login failed: {reason}", 400)
    api_key = _credential(credentials, "api_key")
    form = {"code": code, "client_id": api_key, "client_secret": _credential(credentials, "api_secret"),
            "redirect_uri": redirect_url, "grant_type": "authorization_code"}
    # The token endpoint wants a form body, and a used code must never be replayed: no retries.
    response = await http.request("POST", "/v2/login/authorization/token", group="other", idempotent=False,
                                  session_expired_statuses=(), data=form,
                                  headers={"Accept": "application/json"})
    raise_for_error(response)
    body = response.json()
    if isinstance(body.get("data"), dict):
        body = body["data"]
    token = body.get("access_token")
    if not token:
        raise BrokerError(BROKER, "login failed: no access_token in the token response", 502)
    issued = now or datetime.now(IST)
    return BrokerSession(broker=BROKER, access_token=token, expires_at=token_expiry(issued),
                         broker_user_id=str(body.get("user_id") or ""),
                         extra={"api_key": api_key, "user_name": str(body.get("user_name") or "")})
