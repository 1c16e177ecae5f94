"""Dhan login: consent flow end to end, pasted token, failures, expiry."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from brokers.contract import BrokerError, BrokerPlugin, SessionExpired
from brokers.dhan.manifest import MANIFEST
from brokers.registry import discover_manifests
from tests.brokers.dhan.fake import CLIENT_ID

IST = ZoneInfo("Asia/Kolkata")


def test_manifest_is_discovered_and_complete():
    manifests, failed = discover_manifests()
    assert manifests["dhan"] is MANIFEST and "dhan" not in failed
    assert MANIFEST.entrypoint == "brokers.dhan.plugin:create"
    assert [f.name for f in MANIFEST.credential_fields] == ["api_key", "api_secret"]
    assert [f.name for f in MANIFEST.login_fields] == ["access_token"]


async def test_consent_flow_end_to_end(plugin, fake):
    assert isinstance(plugin, BrokerPlugin)
    assert plugin.login_url(fake.credentials, "s1") is None  # nothing prepared yet
    url = await plugin.prepare_login(fake.credentials, "s1")
    assert url.startswith(f"{fake.urls['login']}/login/consentApp-login?consentAppId=consent-")
    assert plugin.login_url(fake.credentials, "s1") == url
    params = await fake.login_params(url)
    assert set(params) == {"tokenId"}
    session = await plugin.authenticate(fake.credentials, {**params, "state": "s1"})
    assert session.broker == "dhan" and session.broker_user_id == CLIENT_ID
    assert session.extra["client_id"] == CLIENT_ID and session.extra["app_id"] == "fake-app-id-01"
    assert session.access_token in fake.tokens
    assert session.expires_at.tzinfo is not None
    ahead = session.expires_at - datetime.now(IST)
    assert timedelta(hours=23, minutes=58) < ahead <= timedelta(hours=24)
    assert plugin.login_url(fake.credentials, "s1") is None  # consumed


async def test_used_or_forged_token_id_is_refused(plugin, fake):
    params = await fake.login_params(await plugin.prepare_login(fake.credentials, "s"))
    await plugin.authenticate(fake.credentials, params)
    with pytest.raises(BrokerError, match=r"dhan: consume consent failed: Invalid or expired tokenId \(DH-905\)"):
        await plugin.authenticate(fake.credentials, params)  # a tokenId is single use
    with pytest.raises(BrokerError, match="consume consent failed"):
        await plugin.authenticate(fake.credentials, {"tokenId": "forged"})


async def test_wrong_secret_fails_at_consent(plugin, fake):
    with pytest.raises(BrokerError, match="generate consent failed: Invalid app_id") as failure:
        await plugin.prepare_login({**fake.credentials, "api_secret": "wrong"}, "s")
    assert failure.value.status == 401


async def test_api_key_must_pack_client_and_app_id(plugin, fake):
    with pytest.raises(BrokerError, match="client_id>:::<app_id") as failure:
        await plugin.prepare_login({"api_key": "only-app-id", "api_secret": "x"}, "s")
    assert failure.value.status == 400
    with pytest.raises(BrokerError, match="tokenId or a pasted access token"):
        await plugin.authenticate(fake.credentials, {})


async def test_pasted_token_login(plugin, fake):
    params = await fake.login_params(None)
    session = await plugin.authenticate(fake.credentials, params)
    assert session.access_token == params["access_token"] and session.broker_user_id == CLIENT_ID
    assert abs((session.expires_at - datetime.now(IST)) - timedelta(hours=24)) < timedelta(minutes=1)
    # works without stored credentials too: the client id comes from the token itself
    again = await plugin.authenticate({}, {"access_token": fake.issue_token()})
    assert again.extra["client_id"] == CLIENT_ID


async def test_bad_pasted_token_is_refused(plugin, fake):
    with pytest.raises(BrokerError, match=r"access token check failed: .*invalid or expired.*\(DH-901\)") as failure:
        await plugin.authenticate(fake.credentials, {"access_token": "x" * 120})
    assert failure.value.status == 401 and not isinstance(failure.value, SessionExpired)


async def test_expired_tokens_raise_session_expired(plugin, fake, session, execution, data, lookup):
    await execution.orders()
    fake.expire_tokens()
    with pytest.raises(SessionExpired):
        await execution.orders()
    with pytest.raises(SessionExpired):
        await data.quote(lookup.get("NSE", "SBIN"))


def test_session_rollover_is_ist_morning(plugin):
    assert plugin.session_rollover.hour == 3
