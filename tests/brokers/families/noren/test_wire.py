"""The Noren envelope and error mapping, and that the fakes catch a plugin speaking the wrong
body style."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from brokers.contract import BrokerConfig, BrokerError, OrderRejected, SessionExpired
from brokers.families.noren.member import BEARER, JKEY
from brokers.families.noren.plugin import NorenPlugin
from brokers.families.noren.wire import noren_error
from tests.brokers.families.noren.conftest import FAST_LIMITS, member_config


def test_error_mapping():
    assert isinstance(noren_error("shoonya", "Session Expired :  Invalid Session Key"), SessionExpired)
    limited = noren_error("shoonya", "Invalid Input :  Order Recieved 11 in a current second exceeds Limit 10 for user",
                          order=True)
    assert type(limited) is BrokerError and limited.status == 429 and "shoonya: rate limit" in str(limited)
    rejected = noren_error("zebu", "ALGO_CHK: MKT Order type not allowed for API order", order=True)
    assert isinstance(rejected, OrderRejected) and str(rejected) == "zebu: ALGO_CHK: MKT Order type not allowed for API order"
    plain = noren_error("flattrade", "Invalid Input : Missing uid or actid or prd.")
    assert type(plain) is BrokerError and plain.status == 400


@pytest.mark.parametrize(("name", "wrong"), [("shoonya", JKEY), ("flattrade", BEARER)])
async def test_the_fake_refuses_the_wrong_body_style(fake_servers, name, wrong):
    fake = fake_servers[name]
    fake.reset()
    right = NorenPlugin(member_config(name), BrokerConfig(urls=fake.urls), rate_limits=FAST_LIMITS)
    broken = NorenPlugin(dataclasses.replace(member_config(name), body=wrong), BrokerConfig(urls=fake.urls),
                         rate_limits=FAST_LIMITS)
    try:
        session = await right.authenticate(fake.credentials, await fake.login_params(right.login_url(fake.credentials, "")))
        with pytest.raises(BrokerError, match=f"{name}: Invalid Input : content type"):
            await broken.execution_client(session, None).funds()
    finally:
        await right.close()
        await broken.close()


async def test_shoonya_chart_calls_need_jkey(fake_servers):
    fake = fake_servers["shoonya"]
    fake.reset()
    broken = NorenPlugin(dataclasses.replace(member_config("shoonya"), chart_jkey=False), BrokerConfig(urls=fake.urls),
                         rate_limits=FAST_LIMITS)
    try:
        session = await broken.authenticate(fake.credentials,
                                            await fake.login_params(broken.login_url(fake.credentials, "")))
        instruments = await broken.instrument_provider().download()
        sbin = next(i for i in instruments if i.symbol == "SBIN" and i.exchange == "NSE")
        with pytest.raises(BrokerError, match="content type must be application/x-www-form-urlencoded"):
            await broken.data_client(session, None).history(sbin, "1m", date(2025, 11, 27), date(2025, 11, 27))
    finally:
        await broken.close()
