"""Zebu (MYNT) as a Noren family member: configuration only (the code is in
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
    name="zebu",
    display_name="Zebu (MYNT)",
    description="Zebu MYNT on the Noren OMS: OAuth login (GenAcsTok), Bearer + jData REST, JSON WebSocket.",
    urls={
        "login": "https://go.mynt.in/OAuthlogin/authorize/oauth",
        "api": "https://go.mynt.in/NorenWClientAPI",
        "auth": "https://go.mynt.in/NorenWClientAPI/GenAcsTok",
        "feed": "wss://go.mynt.in/NorenWSAPI/",
        "master": "https://go.mynt.in",
    },
    auth=GENACSTOK,
    body=BEARER,
    chart_jkey=False,  # chart endpoints take the Bearer header too
    master=ZIP_TXT,
    equity_tick_in_paise=False,
    mpp_market=True,
    mpp_stop=False,  # SL-M goes out as SL-MKT
    funds_pnl_from_positions=False,
    margin="",  # no margin calculator
    exchanges=("NSE", "NFO", "CDS", "BSE", "BFO", "MCX", "NSE_INDEX"),
    rate_limits={"orders": (10, 1), "quotes": (10, 1), "history": (5, 1), "other": (10, 1)},
    credential_fields=(
        user_id_field("Zebu trading user id, e.g. Z56004 (before ':::' in OpenAlgo's BROKER_API_KEY)."),
        CredentialField("api_key", "OAuth client id", secret=False,
                        help="The OAuth app's client id, e.g. Z56004_U (after ':::' in BROKER_API_KEY)."),
        CredentialField("api_secret", "Secret key", help="The OAuth app's secret (OpenAlgo's BROKER_API_SECRET)."),
    ),
)
