"""Shoonya (Finvasia) as a Noren family member: configuration only (the code is in
`brokers/families/noren`)."""

from brokers.contract.manifest import CredentialField
from brokers.families.noren.member import (
    BEARER,
    GENACSTOK,
    ZIP_TXT,
    NorenMember,
    user_id_field,
)

MEMBER = NorenMember(
    name="shoonya",
    display_name="Shoonya (Finvasia)",
    description="Finvasia's Noren OMS: OAuth login (GenAcsTok), Bearer + jData REST, JSON WebSocket.",
    urls={
        "login": "https://api.shoonya.com/OAuthlogin/authorize/oauth",
        "api": "https://api.shoonya.com/NorenWClientAPI",
        "auth": "https://api.shoonya.com/NorenWClientAPI/GenAcsTok",
        "feed": "wss://api.shoonya.com/NorenWSAPI/",
        "master": "https://api.shoonya.com",
    },
    auth=GENACSTOK,
    body=BEARER,
    chart_jkey=True,  # TPSeries/EODChartData refuse the Bearer header on Shoonya
    master=ZIP_TXT,
    equity_tick_in_paise=True,
    mpp_market=True,
    mpp_stop=True,
    funds_pnl_from_positions=False,
    margin="basket",
    # No published figure; the order cap is the broker's own error text ("exceeds Limit 10").
    rate_limits={"orders": (10, 1), "quotes": (10, 1), "history": (5, 1), "other": (10, 1)},
    credential_fields=(
        user_id_field("Shoonya trading user id (the part before ':::' in OpenAlgo's BROKER_API_KEY)."),
        CredentialField("api_key", "OAuth client id", secret=False,
                        help="The OAuth app's client id (the part after ':::' in BROKER_API_KEY)."),
        CredentialField("api_secret", "Secret key", help="The OAuth app's secret (OpenAlgo's BROKER_API_SECRET)."),
    ),
)
