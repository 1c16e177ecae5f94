"""Jainam (XTS): /user/session with a placeholder accessToken; only /apibinarymarketdata exists.

Jainam publishes its limits: orders unlimited, every other request 1800 per 15 minutes."""

from brokers.families.xts.member import LOGIN_PLACEHOLDER, XtsMember, xts_manifest

MEMBER = XtsMember(
    name="jainamxts",
    display_name="JainamXts",
    base_url="https://jtrade.jainam.in:5000",
    login=LOGIN_PLACEHOLDER,
    md_root="/apibinarymarketdata",
    socket_path="/apibinarymarketdata/socket.io",
    segments=("NSECM", "NSEFO", "BSECM", "BSEFO"),
    other_rate=1800,
    other_per_seconds=900,
)
MANIFEST = xts_manifest(MEMBER)
