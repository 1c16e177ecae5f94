"""The contract every broker plugin implements. Canonical types live here; plugins import only this,
`brokers.common` and their own family."""

from brokers.contract.manifest import AuthType, BrokerManifest

__all__ = ["AuthType", "BrokerManifest"]
