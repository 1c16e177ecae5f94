"""The fake XTS server configured as fivepaisaxts (see tests/brokers/families/xts_fake.py)."""

from tests.brokers.families.xts_fake import FakeXts


class FakeFivepaisaXts(FakeXts):
    name = "fivepaisaxts"
    segments = ("NSECM", "NSEFO", "BSECM", "BSEFO")
