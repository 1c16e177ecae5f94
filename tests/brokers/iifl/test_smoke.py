"""iifl end to end against its configured fake (the family suite is tests/brokers/families/xts)."""

from tests.brokers.families.xts.smoke import run_smoke


async def test_iifl_end_to_end():
    await run_smoke("iifl")
