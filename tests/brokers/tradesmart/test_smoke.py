"""tradesmart end to end against its configured fake (the family suite is tests/brokers/families/noren)."""

from tests.brokers.families.noren.smoke import run_smoke


async def test_tradesmart_end_to_end():
    await run_smoke("tradesmart")
