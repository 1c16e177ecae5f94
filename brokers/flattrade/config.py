"""Flattrade as a Noren family member: configuration only (the code is in
`brokers/families/noren`)."""

from brokers.contract.manifest import CredentialField
from brokers.families.noren.member import (
    ALL_INTERVALS,
    FLATTRADE,
    FLATTRADE_CSV,
    JKEY,
    NorenMember,
    user_id_field,
)

MEMBER = NorenMember(
    name="flattrade",
    display_name="Flattrade",
    description="Flattrade PiConnect (classic Noren): OAuth login, jData + jKey form REST, JSON WebSocket.",
    urls={
        "login": "https://auth.flattrade.in/",
        "api": "https://piconnect.flattrade.in/PiConnectAPI",
        "auth": "https://authapi.flattrade.in/trade/apitoken",
        "feed": "wss://piconnect.flattrade.in/PiConnectWSAPI/",
        "master": "https://flattrade.s3.ap-south-1.amazonaws.com/scripmaster",
    },
    auth=FLATTRADE,
    body=JKEY,
    chart_jkey=False,  # every call already carries jKey
    master=FLATTRADE_CSV,
    equity_tick_in_paise=False,
    mpp_market=True,
    mpp_stop=True,
    funds_pnl_from_positions=True,
    margin="basket",
    intervals={k: v for k, v in ALL_INTERVALS.items() if k != "4h"},  # TPSeries goes up to 120
    # Documented 40 req/s and 200 req/min: one shared bucket, run below both.
    rate_limits={"shared": (190, 60, 38)},
    credential_fields=(
        user_id_field("Flattrade client id (before ':::' in OpenAlgo's BROKER_API_KEY)."),
        CredentialField("api_key", "API key", secret=False,
                        help="PiConnect API key (after ':::' in OpenAlgo's BROKER_API_KEY)."),
        CredentialField("api_secret", "API secret", help="PiConnect API secret (OpenAlgo's BROKER_API_SECRET)."),
    ),
)
