"""CompositEdge (XTS): third-party redirect login; the callback's `session` JSON carries the accessToken.

Register `{HOST_SERVER}/compositedge/callback` as the app's return URL."""

from brokers.families.xts.member import LOGIN_THIRDPARTY, XtsMember, xts_manifest

MEMBER = XtsMember(
    name="compositedge",
    display_name="CompositEdge",
    base_url="https://xts.compositedge.com",
    login=LOGIN_THIRDPARTY,
)
MANIFEST = xts_manifest(MEMBER)
