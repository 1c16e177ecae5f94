from brokers.contract.manifest import AuthType, BrokerManifest, CredentialField

MANIFEST = BrokerManifest(
    name="upstox",
    display_name="Upstox",
    auth_type=AuthType.OAUTH,
    family="upstox",
    description="Upstox API v2/v3: OAuth login, orders, books, quotes, history and the protobuf market feed.",
    entrypoint="brokers.upstox.plugin:create",
    credential_fields=(
        CredentialField("api_key", "API key", secret=False,
                        help="The app's API key (client_id) from the Upstox developer console."),
        CredentialField("api_secret", "API secret",
                        help="The app's API secret; the redirect URL registered there must be "
                             "{HOST_SERVER}/upstox/callback."),
    ),
    login_fields=(),
)
