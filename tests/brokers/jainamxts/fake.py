"""The fake XTS server configured as jainamxts (see tests/brokers/families/xts_fake.py)."""

from tests.brokers.families.xts_fake import FakeXts


class FakeJainamXts(FakeXts):
    name = "jainamxts"
    login_variant = "placeholder"
    md_root = "/apibinarymarketdata"
    socket_path = "/apibinarymarketdata/socket.io"
    segments = ("NSECM", "NSEFO", "BSECM", "BSEFO")
