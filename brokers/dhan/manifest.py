"""Dhan's manifest: import-light, read by the registry at discovery time."""

from brokers.contract.manifest import AuthType, BrokerManifest, CredentialField

MANIFEST = BrokerManifest(
    name="dhan",
    display_name="Dhan",
    auth_type=AuthType.OAUTH,
    family="dhanhq",
    description="DhanHQ API v2: consent login (or a pasted 24-hour access token), orders, books, "
                "quotes, history and the binary market feed.",
    entrypoint="brokers.dhan.plugin:create",
    credential_fields=(
        CredentialField("api_key", "API key (client_id:::app_id)", secret=True,
                        help="Your Dhan client ID and the API key (app id) from web.dhan.co, joined by "
                             "':::' as OpenAlgo's BROKER_API_KEY, e.g. 1100000001:::abcd1234"),
        CredentialField("api_secret", "API secret", secret=True,
                        help="The API secret (app secret) generated with the API key on web.dhan.co."),
    ),
    login_fields=(
        CredentialField("access_token", "Access token (optional)", secret=True,
                        help="Leave empty to log in through Dhan's consent page, or paste a 24-hour token "
                             "from web.dhan.co → My Profile → Access DhanHQ APIs."),
    ),
)
