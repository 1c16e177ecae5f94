"""GTT (good-till-triggered) orders: the simulated GTT book that paper execution uses, and the
routing that sends a live user's GTTs to a broker declaring the capability."""
