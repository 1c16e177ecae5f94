"""The fake XTS server configured as wisdom (see tests/brokers/families/xts_fake.py)."""

from tests.brokers.families.xts_fake import FakeXts


class FakeWisdom(FakeXts):
    name = "wisdom"
    login_variant = "session"
