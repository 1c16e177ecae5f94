"""Angel One's manifest: import-light, read by the registry at discovery."""

from brokers.contract.manifest import AuthType, BrokerManifest, CredentialField

MANIFEST = BrokerManifest(
    name="angel",
    display_name="Angel One",
    auth_type=AuthType.TOTP,
    family="smartapi",
    description="Angel One SmartAPI: client code + PIN + TOTP login, SmartStream binary feed.",
    entrypoint="brokers.angel.plugin:create",
    credential_fields=(
        CredentialField("api_key", "SmartAPI API key", secret=True,
                        help="The app's API key from smartapi.angelbroking.com (OpenAlgo's BROKER_API_KEY)."),
        CredentialField("client_code", "Client code", secret=False, help="Your Angel One client id, e.g. A123456."),
        CredentialField("totp_secret", "TOTP secret (optional)", secret=True,
                        help="The base32 key shown when enabling TOTP; if stored, the 6-digit code is generated "
                             "at login and need not be typed.", required=False),
    ),
    login_fields=(
        CredentialField("pin", "Trading PIN", secret=True),
        CredentialField("totp", "TOTP code", secret=True,
                        help="6-digit code from your authenticator; leave empty when a TOTP secret is stored.",
                        required=False),
    ),
)
