"""Noren OAuth logins: the browser goes to the member's authorize page, comes back with `?code=`,
and the code is traded for a daily token.

* GenAcsTok (Shoonya, Zebu, TradeSmart): POST `jData={code, checksum}` (text/plain, no Bearer),
  checksum = SHA-256(client_id + secret + code) → `access_token`.
* Flattrade: POST JSON `{api_key, request_code, api_secret}` with api_secret =
  SHA-256(api_key + code + secret) — note the different order → `token` (the jKey).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from brokers.common.http import BrokerHttp
from brokers.common.rollover import next_daily
from brokers.contract.errors import BrokerError
from brokers.contract.plugin import BrokerSession
from brokers.families.noren.member import FLATTRADE, NorenMember
from brokers.families.noren.wire import decode, jdata

IST = ZoneInfo("Asia/Kolkata")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def genacstok_checksum(client_id: str, secret: str, code: str) -> str:
    return sha256(f"{client_id}{secret}{code}")


def flattrade_checksum(api_key: str, code: str, secret: str) -> str:
    return sha256(f"{api_key}{code}{secret}")


def required(mapping: Mapping[str, str], broker: str, *names: str) -> str:
    for name in names:
        value = (mapping.get(name) or "").strip()
        if value:
            return value
    raise BrokerError(broker, f"missing {names[0]}", 400)


def split_key(credentials: Mapping[str, str]) -> dict[str, str]:
    """Accept OpenAlgo's packed BROKER_API_KEY (`uid:::client_id`) in `api_key` as well."""
    values = {k: str(v) for k, v in credentials.items()}
    packed = values.get("api_key", "")
    if ":::" in packed:
        uid, _, key = packed.partition(":::")
        values["api_key"] = key.strip()
        if not values.get("user_id", "").strip():
            values["user_id"] = uid.strip()
    return values


def login_url(member: NorenMember, login_base: str, credentials: Mapping[str, str]) -> str:
    key = required(split_key(credentials), member.name, "api_key")
    query = {"app_key": key} if member.auth == FLATTRADE else {"client_id": key}
    if "/" not in login_base.split("://", 1)[-1]:
        login_base += "/"  # a bare host: the authorize page is its root
    # The state is not sent: Noren's authorize page does not document echoing it (the core keeps
    # it in a cookie).
    return f"{login_base}?{urlencode(query)}"


def expiry_after(moment: datetime, member: NorenMember) -> datetime:
    return next_daily(member.rollover, moment)


async def authenticate(http: BrokerHttp, member: NorenMember, auth_url: str, credentials: Mapping[str, str],
                       params: Mapping[str, str], now: datetime | None = None) -> BrokerSession:
    broker = member.name
    creds = split_key(credentials)
    if params.get("error"):
        raise BrokerError(broker, f"login was not completed ({params.get('error')})", 401)
    key = required(creds, broker, "api_key")
    secret = required(creds, broker, "api_secret")
    code = required(params, broker, "code", "request_token")
    if member.auth == FLATTRADE:
        response = await http.request(
            "POST", auth_url, group="other", idempotent=False, session_expired_statuses=(),
            json={"api_key": key, "request_code": code, "api_secret": flattrade_checksum(key, code, secret)},
        )
        token_names: tuple[str, ...] = ("token",)
    else:
        response = await http.request(
            "POST", auth_url, group="other", idempotent=False, session_expired_statuses=(),
            content=jdata({"code": code, "checksum": genacstok_checksum(key, secret, code)}),
            headers={"Content-Type": "text/plain"},
        )
        token_names = ("access_token", "accesstoken", "token", "susertoken")
    body = decode(broker, response)
    if not isinstance(body, dict) or body.get("stat") != "Ok" or response.status_code >= 400:
        message = body.get("emsg") if isinstance(body, dict) else None
        raise BrokerError(broker, f"login failed: {message or f'HTTP {response.status_code}'}", 401)
    token = next((str(body[n]) for n in token_names if body.get(n)), "")
    if not token:
        raise BrokerError(broker, "login answer carried no token", 502)
    uid = (creds.get("user_id") or "").strip()
    if member.uid_from_login or not uid:
        answered = next((str(body[n]) for n in ("actid", "uid", "USERID", "client") if body.get(n)), "")
        uid = uid or answered or (params.get("client") or "").strip()
    if not uid:
        raise BrokerError(broker, "missing user_id (the trading user id)", 400)
    actid = str(body.get("actid") or uid)
    expires = expiry_after(now or datetime.now(IST), member)
    return BrokerSession(
        broker=broker, access_token=token, expires_at=expires, broker_user_id=uid, feed_token=token,
        extra={"uid": uid, "actid": actid, "api_key": key},
    )
