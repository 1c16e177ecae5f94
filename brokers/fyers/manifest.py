from brokers.contract.manifest import AuthType, BrokerManifest, CredentialField

MANIFEST = BrokerManifest(
    name="fyers",
    display_name="Fyers",
    auth_type=AuthType.OAUTH,
    family="fyers",
    description="Fyers API v3: OAuth login, orders and books, quotes/depth/history, HSM live feed.",
    entrypoint="brokers.fyers.plugin:create",
    credential_fields=(
        CredentialField("api_key", "App ID", secret=False,
                        help="The app's client id from the Fyers API dashboard, e.g. XXXXXX-100 (BROKER_API_KEY)"),
        CredentialField("api_secret", "Secret ID", help="The app's secret id (BROKER_API_SECRET)"),
    ),
    login_fields=(),
)
