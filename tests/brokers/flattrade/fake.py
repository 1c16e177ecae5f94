"""The fake flattrade server for the generic harness: the Noren family fake configured for flattrade."""

from tests.brokers.families.noren_fake import FLATTRADE, FakeNoren


class FakeFlattrade(FakeNoren):
    SPEC = FLATTRADE
