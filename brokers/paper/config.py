"""Paper-engine configuration: capital, leverage and margin percentages, price bands.

Defaults are OpenAlgo's (`sandbox_config`), except option selling, which blocks a SPAN-like margin
instead of the premium (see docs/paper-trading.md, "Margin").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

INDEX_UNDERLYINGS = frozenset({"NIFTY", "BANKNIFTY", "FINNIFTY", "MIDCPNIFTY", "NIFTYNXT50", "SENSEX", "BANKEX",
                               "SENSEX50"})


@dataclass(frozen=True, slots=True)
class PaperConfig:
    starting_capital: Decimal = Decimal("10000000")
    equity_mis_leverage: Decimal = Decimal(5)
    equity_cnc_leverage: Decimal = Decimal(1)
    futures_leverage: Decimal = Decimal(10)
    option_buy_leverage: Decimal = Decimal(1)
    # Short options: fraction of the underlying notional (strike × quantity) blocked per segment,
    # SPAN + exposure combined. 8 % of a 24,000 NIFTY strike × 75 = ₹1,44,000 a lot.
    short_option_index_pct: Decimal = Decimal("0.08")
    short_option_stock_pct: Decimal = Decimal("0.15")
    short_option_commodity_pct: Decimal = Decimal("0.10")
    short_option_currency_pct: Decimal = Decimal("0.035")
    index_underlyings: frozenset[str] = INDEX_UNDERLYINGS
    # LIMIT/SL prices further than this from LTP are refused (equity and futures; options have no band).
    price_band_pct: Decimal = Decimal("0.20")
    # A resting LIMIT fills only when the market trades through it (queue position), not on a touch.
    limit_fill_on_touch: bool = False
    # Exchanges whose MIS positions are squared off (CRYPTO and NCO are never squared off).
    square_off_exchanges: frozenset[str] = field(
        default_factory=lambda: frozenset({"NSE", "BSE", "NFO", "BFO", "CDS", "BCD", "MCX", "NCDEX"}))

    @property
    def starting_capital_paise(self) -> int:
        return int(self.starting_capital * 100)
