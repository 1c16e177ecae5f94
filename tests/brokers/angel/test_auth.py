"""Login (client code + PIN + TOTP), the session it yields, and token expiry."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pyotp
import pytest

from brokers.angel.auth import jwt_expiry, next_rollover
from brokers.angel.manifest import MANIFEST
from brokers.angel.plugin import CAPABILITIES, AngelPlugin, create
from brokers.contract import (
    AuthType,
    BrokerConfig,
    BrokerError,
    BrokerPlugin,
    DataClient,
    ExecutionClient,
    InstrumentProvider,
    MarginClient,
    SessionExpired,
    StreamingAdapter,
)
from brokers.registry import discover_manifests
from tests.brokers.angel.fake import PIN, TOTP_SECRET

IST = ZoneInfo("Asia/Kolkata")


class TestManifest:
    def test_manifest_and_discovery(self):
        found, _ = discover_manifests()
        assert found["angel"] is MANIFEST
        assert MANIFEST.auth_type == AuthType.TOTP and MANIFEST.family == "smartapi"
        assert MANIFEST.entrypoint == "brokers.angel.plugin:create"
        assert [f.name for f in MANIFEST.credential_fields] == ["api_key", "client_code", "totp_secret"]
        assert [f.name for f in MANIFEST.login_fields] == ["pin", "totp"]
        # Either a stored TOTP secret or a typed code will do, so neither is mandatory on its own.
        optional = {f.name for f in MANIFEST.credential_fields + MANIFEST.login_fields if not f.required}
        assert optional == {"totp_secret", "totp"}

    async def test_plugin_implements_the_contract(self, plugin, session, lookup):
        assert isinstance(plugin, BrokerPlugin)
        assert isinstance(create(BrokerConfig()), AngelPlugin)
        assert isinstance(plugin.data_client(session, lookup), DataClient)
        execution = plugin.execution_client(session, lookup)
        assert isinstance(execution, ExecutionClient) and isinstance(execution, MarginClient)
        assert isinstance(plugin.streaming_adapter(session, lookup), StreamingAdapter)
        assert isinstance(plugin.instrument_provider(), InstrumentProvider)
        assert plugin.login_url({"api_key": "x"}, "state") is None

    def test_default_hosts_and_overrides(self):
        real = create(BrokerConfig())
        assert real.api_url == "https://apiconnect.angelone.in"
        assert real.feed_url == "wss://smartapisocket.angelone.in/smart-stream"
        assert real.master_url.endswith("/OpenAPI_File/files/OpenAPIScripMaster.json")
        moved = create(BrokerConfig(urls={"api": "http://a/", "feed": "ws://f", "master": "http://m/x.json"}))
        assert (moved.api_url, moved.feed_url, moved.master_url) == ("http://a", "ws://f", "http://m/x.json")


class TestLogin:
    async def test_login_with_typed_totp(self, fake, plugin):
        params = await fake.login_params(None)
        session = await plugin.authenticate({"api_key": fake.credentials["api_key"],
                                             "client_code": fake.credentials["client_code"]}, params)
        assert session.broker == "angel" and session.broker_user_id == fake.credentials["client_code"]
        assert session.access_token in fake.issued  # "Bearer " stripped from Angel's jwtToken
        assert session.feed_token.startswith("feed-")
        assert session.extra["api_key"] == fake.credentials["api_key"]
        assert session.extra["client_code"] == fake.credentials["client_code"] and session.extra["refresh_token"]
        body = fake.paths("loginByPassword")[-1]
        assert body == {"clientcode": fake.credentials["client_code"], "password": PIN, "totp": params["totp"]}

    async def test_login_generates_totp_from_the_stored_secret(self, fake, plugin):
        session = await plugin.authenticate(fake.credentials, {"pin": PIN})
        assert session.access_token in fake.issued
        assert pyotp.TOTP(TOTP_SECRET).verify(fake.paths("loginByPassword")[-1]["totp"], valid_window=1)

    async def test_expiry_is_the_jwt_exp_claim(self, fake, plugin):
        session = await plugin.authenticate(fake.credentials, {"pin": PIN})
        assert session.expires_at.tzinfo is not None and session.expires_at.utcoffset() == timedelta(hours=5, minutes=30)
        hours = (session.expires_at - datetime.now(UTC)).total_seconds() / 3600
        assert 25.9 < hours <= 26.0  # the fake issues 26 h tokens

    async def test_bad_totp_is_refused_with_angels_message(self, fake, plugin):
        good = pyotp.TOTP(TOTP_SECRET).now()
        wrong = f"{(int(good) + 500_000) % 1_000_000:06d}"
        with pytest.raises(BrokerError) as refused:
            await plugin.authenticate(fake.credentials, {"pin": PIN, "totp": wrong})
        assert "Invalid totp" in str(refused.value) and "AB1050" in str(refused.value)
        assert str(refused.value).startswith("angel:")
        assert not isinstance(refused.value, SessionExpired)

    async def test_bad_pin_and_missing_fields(self, fake, plugin):
        with pytest.raises(BrokerError, match="Invalid PIN"):
            await plugin.authenticate(fake.credentials, {"pin": "0000"})
        with pytest.raises(BrokerError, match="PIN is required"):
            await plugin.authenticate(fake.credentials, {"totp": "123456"})
        no_secret = {k: v for k, v in fake.credentials.items() if k != "totp_secret"}
        with pytest.raises(BrokerError, match="TOTP code is required"):
            await plugin.authenticate(no_secret, {"pin": PIN})
        with pytest.raises(BrokerError, match="not valid base32"):
            await plugin.authenticate({**fake.credentials, "totp_secret": "not base32!"}, {"pin": PIN})

    async def test_the_fake_refuses_a_client_without_smartapi_headers(self, fake, plugin):
        # Guards the guard: a client that forgot the X-* headers must not pass the fake.
        response = await plugin.http.client.post("/rest/auth/angelbroking/user/v1/loginByPassword",
                                                 json={"clientcode": "x", "password": "y", "totp": "z"})
        assert response.status_code == 400 and response.json()["status"] is False

    async def test_wrong_api_key_is_refused(self, fake, plugin):
        with pytest.raises(BrokerError, match="Invalid API Key"):
            await plugin.authenticate({**fake.credentials, "api_key": "other"}, {"pin": PIN})


class TestExpiry:
    async def test_expired_token_raises_session_expired(self, fake, execution, data, lookup):
        await execution.orders()
        fake.expire_tokens()
        with pytest.raises(SessionExpired) as expired:
            await execution.orders()
        assert expired.value.status == 401 and "AG8002" in str(expired.value)
        with pytest.raises(SessionExpired):
            await data.quote(lookup.get("NSE", "SBIN"))

    async def test_unknown_token_http_401_is_session_expired(self, plugin, session, lookup):
        forged = type(session)(broker="angel", access_token="forged", expires_at=session.expires_at,
                               feed_token="feed-x", extra=dict(session.extra))
        with pytest.raises(SessionExpired):
            await plugin.execution_client(forged, lookup).positions()

    def test_jwt_without_exp_falls_back_to_the_daily_rollover(self):
        assert jwt_expiry("not-a-jwt") is None
        now = datetime(2026, 11, 29, 10, 0, tzinfo=IST)
        assert next_rollover(now) == datetime(2026, 11, 30, 3, 0, tzinfo=IST)
        assert next_rollover(datetime(2026, 11, 29, 2, 0, tzinfo=IST)) == datetime(2026, 11, 29, 3, 0, tzinfo=IST)
        assert CAPABILITIES.gtt is False and CAPABILITIES.basket_margin is True
