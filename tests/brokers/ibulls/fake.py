"""The fake XTS server configured as ibulls (see tests/brokers/families/xts_fake.py)."""

from tests.brokers.families.xts_fake import FakeXts


class FakeIbulls(FakeXts):
    name = "ibulls"
    md_root = "/apibinarymarketdata"  # REST here, the socket stays on /apimarketdata
    socket_path = "/apimarketdata/socket.io"
    segments = ("NSECM", "NSEFO", "BSECM", "BSEFO", "MCXFO")
