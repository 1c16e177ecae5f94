"""What Upstox offers, as the reference documents it."""

from __future__ import annotations

from brokers.contract.capabilities import Capabilities, RateLimit
from brokers.contract.types import Exchange, FeedMode
from brokers.upstox.mapping import HISTORY_SPAN_DAYS, INTERVALS
from brokers.upstox.market import QUOTE_BATCH

# Upstox limits each API per user: orders 10/s and 500/min (regular algos), other APIs 50/s and
# 500/min. One bucket per group can hold one window: burst = the per-second cap, refill = the
# per-minute rate (the 2000/30 min band is left to the broker's 429).
RATE_LIMITS = {
    "orders": RateLimit(rate=500, per_seconds=60, burst=10),
    "quotes": RateLimit(rate=500, per_seconds=60, burst=50),
    "history": RateLimit(rate=500, per_seconds=60, burst=50),
    "other": RateLimit(rate=500, per_seconds=60, burst=50),
}

# GLOBAL_INDEX is left out: those keys live in a separate file the master download does not fetch.
CAPABILITIES = Capabilities(
    exchanges=frozenset({Exchange.NSE, Exchange.BSE, Exchange.NFO, Exchange.BFO, Exchange.CDS, Exchange.BCD,
                         Exchange.MCX, Exchange.NSE_INDEX, Exchange.BSE_INDEX}),
    depth_levels=(5,),
    intervals=tuple(INTERVALS),
    history_max_days=dict(HISTORY_SPAN_DAYS),
    feed_modes=frozenset({FeedMode.LTP, FeedMode.QUOTE, FeedMode.DEPTH}),
    # `full` mode (Quote/Depth) is capped at 2000 keys per connection (1500 when mixed with ltpc);
    # Upstox's page allows one connection per app-user.
    max_symbols_per_connection=1500,
    max_connections_per_user=1,
    max_instruments_per_subscribe=1500,
    max_symbols_per_multiquote=QUOTE_BATCH,
    gtt=False,
    basket_margin=True,
    rate_limits=RATE_LIMITS,
)
