"""XTS logins (xts.md §2): the interactive session in one of three variants, then the market-data
session. Both tokens live for the trading day; we treat them as dying at 03:00 IST like OpenAlgo."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, time
from typing import Any
from urllib.parse import urlencode

from brokers.common.http import BrokerHttp
from brokers.common.rollover import next_daily
from brokers.contract.errors import BrokerError
from brokers.contract.plugin import BrokerSession
from brokers.families.xts.convert import IST
from brokers.families.xts.member import LOGIN_PLACEHOLDER, LOGIN_SESSION, LOGIN_THIRDPARTY, XtsMember
from brokers.families.xts.wire import request

TOKEN_EXPIRY = time(3, 0)
SOURCE = "WebAPI"
PLACEHOLDER_ACCESS_TOKEN = "openalgo"  # what Jainam's login is sent in place of a browser accessToken


def next_expiry(now: datetime | None = None) -> datetime:
    return next_daily(TOKEN_EXPIRY, now or datetime.now(IST))


def _required(broker: str, credentials: Mapping[str, str], name: str) -> str:
    value = str(credentials.get(name) or "").strip()
    if not value:
        raise BrokerError(broker, f"missing {name}; save your broker credentials first", 400)
    return value


def login_url(member: XtsMember, login_base: str, credentials: Mapping[str, str], redirect_url: str,
              state: str) -> str | None:
    if member.login != LOGIN_THIRDPARTY:
        return None
    api_key = _required(member.name, credentials, "api_key")
    # XTS echoes nothing but the session; the core's cookie carries `state` back.
    return f"{login_base}/interactive/thirdparty?{urlencode({'appKey': api_key, 'returnURL': redirect_url})}"


def decode_session(broker: str, raw: object) -> dict[str, Any]:
    """The callback's `session`: JSON, possibly JSON-encoded twice (a string holding JSON)."""
    value: Any = raw
    for _ in range(3):
        if isinstance(value, dict):
            return value
        if not isinstance(value, str | bytes) or not value:
            break
        try:
            value = json.loads(value)
        except ValueError:
            break
    raise BrokerError(broker, "the login callback carried no readable session", 400)


async def interactive_login(member: XtsMember, http: BrokerHttp, interactive_root: str,
                            credentials: Mapping[str, str], params: Mapping[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {"appKey": _required(member.name, credentials, "api_key"),
                            "secretKey": _required(member.name, credentials, "api_secret")}
    if member.login == LOGIN_SESSION:
        body["source"] = SOURCE
    elif member.login == LOGIN_THIRDPARTY:
        session = decode_session(member.name, params.get("session"))
        access = str(session.get("accessToken") or "")
        if not access:
            raise BrokerError(member.name, "the login callback's session has no accessToken", 400)
        body["accessToken"] = access
    elif member.login == LOGIN_PLACEHOLDER:
        body["accessToken"] = PLACEHOLDER_ACCESS_TOKEN
    result = await request(member.name, http, "POST", f"{interactive_root}/user/session", json=body, login=True)
    if not isinstance(result, dict) or not result.get("token"):
        raise BrokerError(member.name, "interactive login returned no token", 502)
    return result


async def market_login(member: XtsMember, http: BrokerHttp, md_root: str,
                       credentials: Mapping[str, str]) -> dict[str, Any]:
    body = {"appKey": _required(member.name, credentials, "market_api_key"),
            "secretKey": _required(member.name, credentials, "market_api_secret"), "source": SOURCE}
    result = await request(member.name, http, "POST", f"{md_root}/auth/login", json=body, login=True)
    if not isinstance(result, dict) or not result.get("token"):
        raise BrokerError(member.name, "market-data login returned no token", 502)
    return result


async def authenticate(member: XtsMember, http: BrokerHttp, interactive_root: str, md_root: str,
                       credentials: Mapping[str, str], params: Mapping[str, str]) -> BrokerSession:
    for name in ("api_key", "api_secret", "market_api_key", "market_api_secret"):
        _required(member.name, credentials, name)  # both key pairs, before either login is tried
    interactive = await interactive_login(member, http, interactive_root, credentials, params)
    market = await market_login(member, http, md_root, credentials)
    user_id = str(interactive.get("userID") or market.get("userID") or "")
    return BrokerSession(
        broker=member.name, access_token=str(interactive["token"]), expires_at=next_expiry(),
        broker_user_id=user_id, feed_token=str(market["token"]),
        extra={"md_user_id": str(market.get("userID") or user_id)},
    )
