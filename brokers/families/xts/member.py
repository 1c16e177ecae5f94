"""What distinguishes one XTS broker from another: pure configuration, import-light (member
manifests import it at discovery time)."""

from __future__ import annotations

from dataclasses import dataclass

from brokers.contract.manifest import AuthType, BrokerManifest, CredentialField

# Interactive login variants (xts.md §2.1).
LOGIN_SESSION = "session"  # POST /interactive/user/session {appKey, secretKey, source: WebAPI}
LOGIN_THIRDPARTY = "thirdparty"  # browser redirect → callback `session` JSON → /user/session with accessToken
LOGIN_PLACEHOLDER = "placeholder"  # /user/session {appKey, secretKey, accessToken: <placeholder>} (Jainam)

ALL_SEGMENTS = ("NSECM", "NSECD", "NSEFO", "BSECM", "BSEFO", "MCXFO")


@dataclass(frozen=True)
class XtsMember:
    name: str
    display_name: str
    base_url: str  # scheme + host (+ port), no trailing slash
    login: str = LOGIN_SESSION
    md_root: str = "/apimarketdata"  # market-data REST root
    socket_path: str = "/apimarketdata/socket.io"  # Socket.IO path for the market-data feed
    segments: tuple[str, ...] = ALL_SEGMENTS  # master-contract segments this broker serves
    # Requests outside the order group per `per_seconds` (Jainam publishes 1800 / 15 min).
    other_rate: float = 10.0
    other_per_seconds: float = 1.0
    description: str = ""

    @property
    def auth_type(self) -> AuthType:
        return AuthType.OAUTH if self.login == LOGIN_THIRDPARTY else AuthType.API_KEY


def xts_manifest(member: XtsMember) -> BrokerManifest:
    fields = (
        CredentialField("api_key", "Interactive API key", secret=False,
                        help="XTS interactive appKey (OpenAlgo's BROKER_API_KEY)."),
        CredentialField("api_secret", "Interactive API secret",
                        help="XTS interactive secretKey (OpenAlgo's BROKER_API_SECRET)."),
        CredentialField("market_api_key", "Market data API key", secret=False,
                        help="XTS market-data appKey (OpenAlgo's BROKER_API_KEY_MARKET)."),
        CredentialField("market_api_secret", "Market data API secret",
                        help="XTS market-data secretKey (OpenAlgo's BROKER_API_SECRET_MARKET)."),
    )
    return BrokerManifest(
        name=member.name,
        display_name=member.display_name,
        auth_type=member.auth_type,
        family="xts",
        description=member.description or f"{member.display_name} on Symphony XTS: interactive + market-data "
                                          "sessions, REST orders and data, Socket.IO feed.",
        entrypoint=f"brokers.families.xts.plugin:create_{member.name}",
        credential_fields=fields,
        login_fields=(),  # XTS logins need no per-login input (CompositEdge logs in on its own page)
    )
