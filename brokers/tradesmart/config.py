"""TradeSmart as a Noren family member: configuration only (the code is in
`brokers/families/noren`)."""

from brokers.contract.manifest import CredentialField
from brokers.families.noren.member import (
    BEARER,
    GENACSTOK,
    ZIP_TXT,
    NorenMember,
)

MEMBER = NorenMember(
    name="tradesmart",
    display_name="TradeSmart",
    description="TradeSmart on Noren v2: OAuth login (GenAcsTok), Bearer + jData REST, JSON WebSocket.",
    urls={
        "login": "https://v2api.tradesmartonline.in/OAuthlogin/authorize/oauth",
        "api": "https://v2api.tradesmartonline.in/NorenWClientAPIv2",
        "auth": "https://v2api.tradesmartonline.in/NorenWClientAPIv2/GenAcsTok",
        "feed": "wss://v2api.tradesmartonline.in/NorenWSAPI/",
        "master": "https://v2api.tradesmartonline.in",
    },
    auth=GENACSTOK,
    body=BEARER,
    chart_jkey=False,
    master=ZIP_TXT,
    equity_tick_in_paise=True,
    mpp_market=True,
    mpp_stop=True,
    funds_pnl_from_positions=True,
    margin="order",  # GetOrderMargin per leg, summed (no hedge benefit)
    uid_from_login=True,
    # 10 req/s and 120 req/min per user across every endpoint: one shared bucket, run below the cap.
    rate_limits={"shared": (110, 60, 8)},
    credential_fields=(
        CredentialField("api_key", "API key (OAuth client id)", secret=False,
                        help="TradeSmart API key (OpenAlgo's BROKER_API_KEY)."),
        CredentialField("api_secret", "API secret", help="TradeSmart API secret (OpenAlgo's BROKER_API_SECRET)."),
        CredentialField("user_id", "Trading user id", secret=False, required=False,
                        help="Optional: taken from the login answer when empty."),
    ),
)
