"""Margin: what a portfolio of positions requires, and what an order adds to it.

Per position (integer paise, rounded up):
- equity: |qty| × average / leverage (MIS 5×, CNC and NRML 1× by default);
- futures: |qty| × average / futures leverage (10×);
- long options: the premium, |qty| × average / option-buy leverage (1×);
- short options: SPAN-like, |qty| × strike × segment percentage (index 8 %, stock 15 %, commodity
  10 %, currency 3.5 %): ≈ ₹1.44 lakh for one 75-unit NIFTY lot at strike 24,000.
Hedge benefit: each short option unit paired with a long unit of the same underlying, expiry and
type needs only the spread's maximum loss (|strike difference| when the long is further out of the
money, 0 when it is nearer) if that is less than the naked margin. Pairs are matched greedily,
cheapest first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from brokers.contract import Product
from brokers.paper.config import PaperConfig
from brokers.paper.model import ContractSpec


@dataclass(frozen=True, slots=True)
class Exposure:
    """A signed quantity of a contract at a price: a position, or a position plus a would-be fill."""

    contract: ContractSpec
    product: Product
    quantity: int
    price: Decimal


def ceil_paise(rupees: Decimal) -> int:
    return int((rupees * 100).to_integral_value(rounding=ROUND_CEILING))


def short_option_pct(contract: ContractSpec, config: PaperConfig) -> Decimal:
    if contract.underlying.upper() in config.index_underlyings:
        return config.short_option_index_pct
    if contract.exchange in ("MCX", "NCDEX", "NCO"):
        return config.short_option_commodity_pct
    if contract.exchange in ("CDS", "BCD"):
        return config.short_option_currency_pct
    return config.short_option_stock_pct


def naked_short_option_per_unit(contract: ContractSpec, price: Decimal, config: PaperConfig) -> Decimal:
    reference = contract.strike if contract.strike and contract.strike > 0 else price
    return reference * short_option_pct(contract, config)


def linear_requirement(exposure: Exposure, config: PaperConfig) -> Decimal:
    """Everything but short options: notional over leverage."""
    contract, quantity = exposure.contract, abs(exposure.quantity)
    notional = quantity * exposure.price
    if contract.is_option:
        return notional / config.option_buy_leverage
    if contract.is_future:
        return notional / config.futures_leverage
    if exposure.product == Product.MIS:
        return notional / config.equity_mis_leverage
    return notional / config.equity_cnc_leverage


def spread_loss_per_unit(short: ContractSpec, long: ContractSpec) -> Decimal:
    """Maximum loss per unit of a short option covered by a long one (same underlying/expiry/type)."""
    if short.strike is None or long.strike is None:
        return Decimal("Infinity")
    if short.instrumenttype == "CE":
        return max(Decimal(0), long.strike - short.strike)
    return max(Decimal(0), short.strike - long.strike)


def requirement_paise(exposures: Iterable[Exposure], config: PaperConfig) -> int:
    """Total margin the exposures require, with the spread benefit for hedged short options."""
    total = Decimal(0)
    option_groups: dict[tuple, tuple[list, list]] = defaultdict(lambda: ([], []))
    for exposure in exposures:
        if exposure.quantity == 0:
            continue
        contract = exposure.contract
        if contract.is_option:
            group = option_groups[(contract.underlying, contract.expiry, contract.instrumenttype)]
            if exposure.quantity > 0:
                total += linear_requirement(exposure, config)
                group[1].append([contract, exposure.quantity])
            else:
                group[0].append([contract, -exposure.quantity, exposure.price])
            continue
        total += linear_requirement(exposure, config)
    for shorts, longs in option_groups.values():
        total += _short_options_requirement(shorts, longs, config)
    return ceil_paise(total)


def _short_options_requirement(shorts: list, longs: list, config: PaperConfig) -> Decimal:
    total = Decimal(0)
    # Cheapest pairing first: every (short, long) candidate ordered by its per-unit cost.
    candidates = []
    for si, (short, _, price) in enumerate(shorts):
        naked = naked_short_option_per_unit(short, price, config)
        for li, (long, _) in enumerate(longs):
            cost = min(naked, spread_loss_per_unit(short, long))
            candidates.append((cost, si, li))
    candidates.sort(key=lambda item: item[0])
    remaining_short = [quantity for _, quantity, _ in shorts]
    remaining_long = [quantity for _, quantity in longs]
    for cost, si, li in candidates:
        paired = min(remaining_short[si], remaining_long[li])
        if paired:
            total += paired * cost
            remaining_short[si] -= paired
            remaining_long[li] -= paired
    for (short, _, price), quantity in zip(shorts, remaining_short, strict=True):
        total += quantity * naked_short_option_per_unit(short, price, config)
    return total
