"""The fake shoonya server for the generic harness: the Noren family fake configured for shoonya."""

from tests.brokers.families.noren_fake import SHOONYA, FakeNoren


class FakeShoonya(FakeNoren):
    SPEC = SHOONYA
