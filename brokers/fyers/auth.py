"""Fyers' OAuth auth-code flow (reference §2) and what the access token (a JWT) tells us."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime, time
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from brokers.common.rollover import next_daily
from brokers.contract.errors import BrokerError, SessionExpired
from brokers.contract.plugin import BrokerSession
from brokers.fyers.api import BROKER, FyersApi

IST = ZoneInfo("Asia/Kolkata")
# Fyers' access tokens carry `exp` ≈ 06:00 IST of the next day; this is only the fallback when a
# token has no readable `exp`.
ROLLOVER = time(6, 0)


def app_id_hash(app_id: str, secret: str) -> str:
    return hashlib.sha256(f"{app_id}:{secret}".encode()).hexdigest()


def login_url(login_base: str, app_id: str, redirect_url: str, state: str) -> str:
    query = urlencode({"client_id": app_id, "redirect_uri": redirect_url, "response_type": "code", "state": state})
    return f"{login_base}/api/v3/generate-authcode?{query}"


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT (not verified: we only read our own token's claims). Tolerates an
    `APP_ID:` prefix. Returns {} when the token is not a JWT."""
    token = token.rsplit(":", 1)[-1]
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, UnicodeDecodeError):
        return {}
    return claims if isinstance(claims, dict) else {}


def next_rollover(now: datetime) -> datetime:
    return next_daily(ROLLOVER, now)


def token_expiry(claims: Mapping[str, Any], now: datetime | None = None) -> datetime:
    exp = claims.get("exp")
    if isinstance(exp, int | float) and exp > 0:
        return datetime.fromtimestamp(exp, UTC).astimezone(IST)
    return next_rollover(now or datetime.now(UTC))


async def authenticate(api: FyersApi, credentials: Mapping[str, str], params: Mapping[str, str]) -> BrokerSession:
    app_id = (credentials.get("api_key") or "").strip()
    secret = (credentials.get("api_secret") or "").strip()
    if not app_id or not secret:
        raise BrokerError(BROKER, "the App ID and Secret ID must be configured", 400)
    if str(params.get("s", "ok")).lower() == "error":
        raise BrokerError(BROKER, f"login failed: {params.get('message') or 'the broker refused the login'}", 401)
    code = params.get("auth_code")
    if not code:
        raise BrokerError(BROKER, "login failed: the callback carried no auth_code", 400)
    body = {"grant_type": "authorization_code", "appIdHash": app_id_hash(app_id, secret), "code": code}
    try:
        answer = await api.call("POST", "/api/v3/validate-authcode", token=None, json=body)
    except SessionExpired as exc:  # a refused code is a failed login, not an expired session
        raise BrokerError(BROKER, f"login failed: {exc.message}", 401) from None
    except BrokerError as exc:
        raise BrokerError(BROKER, f"login failed: {exc.message}", exc.status if exc.status != 400 else 401) from None
    access_token = answer.get("access_token")
    if not access_token:
        raise BrokerError(BROKER, "login failed: no access_token in the answer", 502)
    claims = jwt_claims(access_token)
    return BrokerSession(
        broker=BROKER,
        access_token=access_token,
        expires_at=token_expiry(claims),
        broker_user_id=str(claims.get("fy_id", "")),
        feed_token=None,  # the feed key (`hsm_key`) is a claim of the access token
        extra={"app_id": app_id},
    )
