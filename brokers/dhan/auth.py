"""Dhan login: the API-key consent flow (generate-consent → browser login → `tokenId` →
consume-consent) or a pasted 24-hour access token validated against `/v2/fundlimit`."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from brokers.common.http import BrokerHttp
from brokers.contract.errors import BrokerError
from brokers.contract.plugin import BrokerSession
from brokers.dhan.errors import body_of, error_of

BROKER = "dhan"
IST = ZoneInfo("Asia/Kolkata")
TOKEN_LIFETIME = timedelta(hours=24)
CALLBACK_TOKEN_KEYS = ("tokenId", "token_id", "token")  # OpenAlgo accepts all three from the redirect


def split_api_key(credentials: Mapping[str, str]) -> tuple[str, str]:
    """OpenAlgo packs `BROKER_API_KEY` as `client_id:::app_id`."""
    raw = (credentials.get("api_key") or "").strip()
    client_id, sep, app_id = raw.partition(":::")
    if not sep or not client_id.strip() or not app_id.strip():
        raise BrokerError(BROKER, "API key must be '<client_id>:::<app_id>' (Dhan client ID and API key)", 400)
    return client_id.strip(), app_id.strip()


def app_headers(credentials: Mapping[str, str]) -> dict[str, str]:
    _, app_id = split_api_key(credentials)
    secret = (credentials.get("api_secret") or "").strip()
    if not secret:
        raise BrokerError(BROKER, "API secret is missing", 400)
    return {"app_id": app_id, "app_secret": secret, "Accept": "application/json"}


def jwt_claims(token: str) -> dict:
    """The unverified payload of Dhan's JWT (only read for `exp` and `dhanClientId`)."""
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


def token_expiry(token: str, expiry_text: str | None = None, now: datetime | None = None) -> datetime:
    """The token's real expiry, IST-aware: the JWT's `exp` if present, else Dhan's zone-less
    `expiryTime` read as IST (the earlier of the two readings: a too-early expiry only asks for a
    fresh login), else 24 hours from now."""
    now = now or datetime.now(UTC)
    exp = jwt_claims(token).get("exp")
    if isinstance(exp, int | float) and exp > 0:
        return datetime.fromtimestamp(exp, IST)
    if expiry_text:
        try:
            parsed = datetime.fromisoformat(expiry_text.strip().replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None:
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=IST)).astimezone(IST)
    return (now + TOKEN_LIFETIME).astimezone(IST)


def _failure(response, what: str) -> BrokerError:
    error = error_of(body_of(response))
    detail = f"{error[1]} ({error[0]})" if error else (response.text[:200] or f"HTTP {response.status_code}")
    return BrokerError(BROKER, f"{what} failed: {detail}", 401 if response.status_code in (401, 403) else 400)


async def generate_consent(http: BrokerHttp, auth_url: str, credentials: Mapping[str, str]) -> str:
    """Server-to-server step 1: returns the `consentAppId` the browser login page needs."""
    client_id, _ = split_api_key(credentials)
    response = await http.request("POST", f"{auth_url}/app/generate-consent", params={"client_id": client_id},
                                  headers=app_headers(credentials), session_expired_statuses=())
    body = body_of(response)
    if response.status_code >= 400 or not isinstance(body, dict) or not body.get("consentAppId"):
        raise _failure(response, "generate consent")
    return str(body["consentAppId"])


def consent_login_url(login_url: str, consent_app_id: str) -> str:
    return f"{login_url}/login/consentApp-login?{urlencode({'consentAppId': consent_app_id})}"


async def consume_consent(http: BrokerHttp, auth_url: str, credentials: Mapping[str, str],
                          token_id: str) -> BrokerSession:
    client_id, app_id = split_api_key(credentials)
    response = await http.request("POST", f"{auth_url}/app/consumeApp-consent", params={"tokenId": token_id},
                                  headers=app_headers(credentials), session_expired_statuses=())
    body = body_of(response)
    if response.status_code >= 400 or not isinstance(body, dict) or not body.get("accessToken"):
        raise _failure(response, "consume consent")
    token = str(body["accessToken"])
    user = str(body.get("dhanClientId") or client_id)
    return BrokerSession(broker=BROKER, access_token=token, expires_at=token_expiry(token, body.get("expiryTime")),
                         broker_user_id=user, extra={"client_id": user, "app_id": app_id,
                                                     "client_name": str(body.get("dhanClientName") or "")})


async def pasted_token(http: BrokerHttp, credentials: Mapping[str, str], token: str) -> BrokerSession:
    """A token generated on web.dhan.co: validated with one funds call, as OpenAlgo does."""
    token = token.strip()
    client_id = str(jwt_claims(token).get("dhanClientId") or "")
    app_id = ""
    if (credentials.get("api_key") or "").strip():
        client_id, app_id = split_api_key(credentials)
    if not client_id:
        raise BrokerError(BROKER, "cannot tell the Dhan client ID: set the API key as '<client_id>:::<app_id>'", 400)
    response = await http.request("GET", "/v2/fundlimit", headers={"access-token": token, "client-id": client_id,
                                                                   "Accept": "application/json"},
                                  session_expired_statuses=())
    body = body_of(response)
    if response.status_code >= 400 or error_of(body) is not None or not isinstance(body, dict):
        raise _failure(response, "access token check")
    user = str(body.get("dhanClientId") or client_id)
    if user != client_id:
        raise BrokerError(BROKER, f"the access token belongs to client {user}, not {client_id}", 401)
    return BrokerSession(broker=BROKER, access_token=token, expires_at=token_expiry(token), broker_user_id=user,
                         extra={"client_id": user, "app_id": app_id})


def callback_token_id(params: Mapping[str, str]) -> str | None:
    for key in CALLBACK_TOKEN_KEYS:
        value = (params.get(key) or "").strip()
        if value:
            return value
    return None
