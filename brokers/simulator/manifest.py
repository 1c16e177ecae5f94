from brokers.contract.manifest import AuthType, BrokerManifest

MANIFEST = BrokerManifest(
    name="simulator",
    display_name="Simulator",
    auth_type=AuthType.NONE,
    description="Built-in synthetic NSE/BSE/MCX market with the paper-matching engine.",
)
