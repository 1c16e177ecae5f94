"""Kite Connect login: send the browser to Kite with the API key, then trade the callback's
single-use `request_token` for an access token with a SHA-256 checksum."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime, time
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from brokers.common.http import BrokerHttp
from brokers.common.rollover import next_daily
from brokers.contract.errors import BrokerError
from brokers.contract.plugin import BrokerSession
from brokers.zerodha.api import BROKER, KITE_VERSION, unwrap

IST = ZoneInfo("Asia/Kolkata")
# Kite access tokens die at 06:00 IST the next morning (regulatory), whatever the login time.
TOKEN_EXPIRY = time(6, 0)


def checksum(api_key: str, request_token: str, api_secret: str) -> str:
    return hashlib.sha256(f"{api_key}{request_token}{api_secret}".encode()).hexdigest()


def login_url(login_base: str, api_key: str, state: str) -> str:
    query = {"v": "3", "api_key": api_key}
    if state:
        # Kite echoes `redirect_params` back on the callback, which carries our CSRF state.
        query["redirect_params"] = urlencode({"state": state})
    return f"{login_base}/connect/login?{urlencode(query)}"


def expiry_after(moment: datetime) -> datetime:
    return next_daily(TOKEN_EXPIRY, moment)


def _required(mapping: Mapping[str, str], *names: str) -> str:
    for name in names:
        value = (mapping.get(name) or "").strip()
        if value:
            return value
    raise BrokerError(BROKER, f"missing {names[0]}", 400)


async def authenticate(http: BrokerHttp, credentials: Mapping[str, str], params: Mapping[str, str],
                       now: datetime | None = None) -> BrokerSession:
    status = params.get("status")
    if status and status != "success":
        raise BrokerError(BROKER, f"login was not completed (status {status!r})", 401)
    api_key = _required(credentials, "api_key")
    api_secret = _required(credentials, "api_secret")
    request_token = _required(params, "request_token", "code")
    response = await http.request(
        "POST", "/session/token", group="other", idempotent=False, session_expired_statuses=(),
        headers={"X-Kite-Version": KITE_VERSION},
        data={"api_key": api_key, "request_token": request_token,
              "checksum": checksum(api_key, request_token, api_secret)},
    )
    data = unwrap(response, login=True) or {}
    access_token = data.get("access_token")
    if not access_token:
        raise BrokerError(BROKER, "login answer carried no access_token", 502)
    extra = {"api_key": api_key}
    for key in ("user_name", "public_token"):
        if data.get(key):
            extra[key] = str(data[key])
    return BrokerSession(
        broker=BROKER, access_token=str(access_token), expires_at=expiry_after(now or datetime.now(IST)),
        broker_user_id=str(data.get("user_id") or ""), extra=extra,
    )
