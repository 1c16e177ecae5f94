"""Flattrade's manifest: import-light, read by the registry at discovery time."""

from brokers.families.noren.member import manifest_for
from brokers.flattrade.config import MEMBER

MANIFEST = manifest_for(MEMBER)
