"""Indiabulls (XTS): plain login; market-data REST on /apibinarymarketdata, socket on /apimarketdata."""

from brokers.families.xts.member import XtsMember, xts_manifest

MEMBER = XtsMember(
    name="ibulls",
    display_name="Ibulls",
    base_url="https://xts.ibullssecurities.com",
    md_root="/apibinarymarketdata",
    socket_path="/apimarketdata/socket.io",
    segments=("NSECM", "NSEFO", "BSECM", "BSEFO", "MCXFO"),  # no currency derivatives
)
MANIFEST = xts_manifest(MEMBER)
