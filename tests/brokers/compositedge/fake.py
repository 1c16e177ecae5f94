"""The fake XTS server configured as compositedge (see tests/brokers/families/xts_fake.py)."""

from tests.brokers.families.xts_fake import FakeXts


class FakeCompositedge(FakeXts):
    name = "compositedge"
    login_variant = "thirdparty"
