"""The fake tradesmart server for the generic harness: the Noren family fake configured for tradesmart."""

from tests.brokers.families.noren_fake import TRADESMART, FakeNoren


class FakeTradeSmart(FakeNoren):
    SPEC = TRADESMART
