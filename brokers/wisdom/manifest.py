"""Wisdom Capital (XTS): plain API key + secret login, plain XTS."""

from brokers.families.xts.member import XtsMember, xts_manifest

MEMBER = XtsMember(name="wisdom", display_name="Wisdom Capital", base_url="https://trade.wisdomcapital.in")
MANIFEST = xts_manifest(MEMBER)
