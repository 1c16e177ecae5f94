"""SmartAPI login: client code + PIN + TOTP posted to `loginByPassword` (reference §1)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import orjson
import pyotp

from brokers.angel.wire import BROKER, DISPLAY, SmartApiRest
from brokers.common.rollover import next_daily
from brokers.contract.errors import BrokerError
from brokers.contract.plugin import BrokerSession

IST = ZoneInfo("Asia/Kolkata")
LOGIN_PATH = "/rest/auth/angelbroking/user/v1/loginByPassword"
# OpenAlgo re-logs in daily; used only when the JWT carries no readable `exp`.
ROLLOVER = time(3, 0)


def _required(values: Mapping[str, str], name: str, what: str) -> str:
    value = (values.get(name) or "").strip()
    if not value:
        raise BrokerError(BROKER, f"{DISPLAY}: {what} is required", 400)
    return value


def totp_code(credentials: Mapping[str, str], params: Mapping[str, str]) -> str:
    """The code typed at login wins; otherwise generate it from the stored secret."""
    typed = (params.get("totp") or "").strip()
    if typed:
        return typed
    secret = (credentials.get("totp_secret") or "").strip().replace(" ", "")
    if not secret:
        raise BrokerError(BROKER, f"{DISPLAY}: a TOTP code is required (or store the TOTP secret)", 400)
    try:
        return pyotp.TOTP(secret).now()
    except Exception:  # binascii errors for a mistyped key
        raise BrokerError(BROKER, f"{DISPLAY}: the stored TOTP secret is not valid base32", 400) from None


def jwt_expiry(jwt: str) -> datetime | None:
    """Angel's JWTs carry `exp` (valid 24–28 h since 2024, per SmartAPI's forum); read it unverified."""
    try:
        payload = jwt.split(".")[1]
        claims = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return datetime.fromtimestamp(int(claims["exp"]), UTC)
    except Exception:
        return None


def next_rollover(now: datetime) -> datetime:
    return next_daily(ROLLOVER, now)


def _strip_bearer(token: str) -> str:
    return token[7:] if token.lower().startswith("bearer ") else token


async def login(rest: SmartApiRest, credentials: Mapping[str, str], params: Mapping[str, str]) -> BrokerSession:
    api_key = _required(credentials, "api_key", "the SmartAPI API key")
    client_code = _required({"client_code": params.get("client_code") or credentials.get("client_code") or ""},
                            "client_code", "the client code")
    pin = _required(params, "pin", "the trading PIN")
    body = {"clientcode": client_code, "password": pin, "totp": totp_code(credentials, params)}
    rest.api_key = api_key
    data = await rest.call("POST", LOGIN_PATH, group="login", body=body, idempotent=False)
    if not isinstance(data, dict) or not data.get("jwtToken"):
        raise BrokerError(BROKER, f"{DISPLAY}: login answered without a token", 502)
    jwt = _strip_bearer(str(data["jwtToken"]))
    now = datetime.now(UTC)
    expires_at = jwt_expiry(jwt) or next_rollover(now)
    extra = {"api_key": api_key, "client_code": client_code}
    if data.get("refreshToken"):
        extra["refresh_token"] = str(data["refreshToken"])
    return BrokerSession(broker=BROKER, access_token=jwt, expires_at=expires_at.astimezone(IST),
                         broker_user_id=client_code, feed_token=str(data.get("feedToken") or "") or None,
                         extra=extra)
