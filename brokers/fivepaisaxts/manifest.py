"""5paisa (XTS): plain API key + secret login (xts.md §10)."""

from brokers.families.xts.member import XtsMember, xts_manifest

MEMBER = XtsMember(
    name="fivepaisaxts",
    display_name="5 Paisa (XTS)",
    base_url="https://xtsmum.5paisa.com",  # the published URL ends with "/": stripped to avoid "//apimarketdata"
    segments=("NSECM", "NSEFO", "BSECM", "BSEFO"),
)
MANIFEST = xts_manifest(MEMBER)
