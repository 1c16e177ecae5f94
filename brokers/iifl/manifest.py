"""IIFL (XTS "Blaze"): plain API key + secret login. Not the same API as IIFL Capital."""

from brokers.families.xts.member import XtsMember, xts_manifest

MEMBER = XtsMember(name="iifl", display_name="IIFL", base_url="https://ttblaze.iifl.com")
MANIFEST = xts_manifest(MEMBER)
