"""The fake XTS server configured as iifl (see tests/brokers/families/xts_fake.py)."""

from tests.brokers.families.xts_fake import FakeXts


class FakeIifl(FakeXts):
    name = "iifl"
    login_variant = "session"
