"""The fake zebu server for the generic harness: the Noren family fake configured for zebu."""

from tests.brokers.families.noren_fake import ZEBU, FakeNoren


class FakeZebu(FakeNoren):
    SPEC = ZEBU
