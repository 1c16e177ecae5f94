"""Zerodha's manifest: import-light, read by the registry at discovery time."""

from brokers.contract.manifest import AuthType, BrokerManifest, CredentialField

MANIFEST = BrokerManifest(
    name="zerodha",
    display_name="Zerodha",
    auth_type=AuthType.OAUTH,
    family="kite",
    description="Zerodha Kite Connect v3: OAuth login with a request token, REST orders and data, binary ticker.",
    entrypoint="brokers.zerodha.plugin:create",
    credential_fields=(
        CredentialField("api_key", "API key", secret=False,
                        help="Kite Connect app's API key (OpenAlgo's BROKER_API_KEY)."),
        CredentialField("api_secret", "API secret",
                        help="Kite Connect app's API secret (OpenAlgo's BROKER_API_SECRET)."),
    ),
    # Zerodha asks for the user id, password and TOTP on its own login page, never here.
    login_fields=(),
)
