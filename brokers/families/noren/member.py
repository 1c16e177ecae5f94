"""What one Noren member broker is, as data: hosts, auth variant, body style and quirks.

Import-light on purpose (only the contract's manifest types): each member's `manifest.py` builds
its MANIFEST from here at discovery time, long before httpx or websockets are needed.

URL names every member reads from `BrokerConfig.urls` (each overridable, which is how tests use
a fake):

| name     | meaning                                                                  |
|----------|--------------------------------------------------------------------------|
| `login`  | the browser login page (OAuth authorize URL, query added by the plugin)  |
| `api`    | the REST root, e.g. `https://api.shoonya.com/NorenWClientAPI`            |
| `auth`   | the token exchange URL (GenAcsTok under the REST root, or Flattrade's)   |
| `feed`   | the market-data WebSocket URL                                            |
| `master` | the base URL of the master-contract files                                |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from brokers.contract.manifest import AuthType, BrokerManifest, CredentialField

# Auth variants.
GENACSTOK = "genacstok"  # OAuth code → POST <api>/GenAcsTok jData {code, checksum}
FLATTRADE = "flattrade"  # OAuth code → POST <auth> JSON {api_key, request_code, api_secret}

# Body styles.
BEARER = "bearer"  # Authorization: Bearer <token>, body `jData=<json>` as text/plain
JKEY = "jkey"  # body `jData=<json>&jKey=<token>` as application/x-www-form-urlencoded

# Master-contract layouts.
ZIP_TXT = "zip"  # <master>/<EXCH>_symbols.txt.zip
FLATTRADE_CSV = "flattrade_csv"  # <master>/<Segment>.csv on S3

# History interval (ours) → TPSeries `intrv`.
ALL_INTERVALS = {"1m": "1", "3m": "3", "5m": "5", "10m": "10", "15m": "15", "30m": "30", "1h": "60", "2h": "120",
                 "4h": "240"}


@dataclass(frozen=True)
class NorenMember:
    name: str
    display_name: str
    urls: dict[str, str]  # defaults for the URL names above
    auth: str = GENACSTOK
    body: str = BEARER
    # Shoonya's chart endpoints refuse the Bearer header and want `jData=…&jKey=<token>` as a form.
    chart_jkey: bool = False
    master: str = ZIP_TXT
    # Shoonya/TradeSmart NSE/BSE files carry TickSize in paise.
    equity_tick_in_paise: bool = False
    # MKT/SL-MKT are refused for API orders: MARKET (and SL-M when `mpp_stop`) go out as protected limits.
    mpp_market: bool = True
    mpp_stop: bool = True
    # Limits' `rpnl` has the opposite sign on Shoonya/Zebu; Flattrade/TradeSmart take M2M from PositionBook.
    funds_pnl_from_positions: bool = False
    # "basket" (GetBasketMargin), "order" (GetOrderMargin per leg, summed) or "" (none).
    margin: str = "basket"
    # The trading uid comes from the callback/response (TradeSmart) instead of a stored credential.
    uid_from_login: bool = False
    intervals: dict[str, str] = field(default_factory=lambda: dict(ALL_INTERVALS))
    exchanges: tuple[str, ...] = ("NSE", "NFO", "CDS", "BSE", "BFO", "MCX", "NSE_INDEX", "BSE_INDEX")
    # Per group "orders"/"quotes"/"history"/"other": (rate, per_seconds[, burst]); the single key
    # "shared" means one bucket for every group (a per-user budget across all endpoints).
    rate_limits: dict[str, tuple] = field(default_factory=dict)
    # IST time the daily tokens die.
    rollover: time = time(3, 0)
    credential_fields: tuple[CredentialField, ...] = ()
    description: str = ""


def manifest_for(member: NorenMember) -> BrokerManifest:
    return BrokerManifest(
        name=member.name,
        display_name=member.display_name,
        auth_type=AuthType.OAUTH,
        family="noren",
        description=member.description,
        entrypoint=f"brokers.families.noren.plugin:create_{member.name}",
        credential_fields=member.credential_fields,
        login_fields=(),  # the broker's own login page asks for password and TOTP
    )


def user_id_field(help_text: str) -> CredentialField:
    return CredentialField("user_id", "Trading user id", secret=False, help=help_text)
