"""Request bodies and the instrument → JSON shapes of the symbol endpoints (api-v1 §4.15–4.19)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator

from backend.api.v1.fields import STRICT, ApiKey, ExchangeField, enum_field, positive_int
from backend.domains.symbols.index import SymbolIndex
from brokers.contract.types import Exchange, Instrument


class FnoExchange(StrEnum):
    NFO = "NFO"
    BFO = "BFO"
    MCX = "MCX"
    CDS = "CDS"
    NCO = "NCO"
    BCD = "BCD"
    NCDEX = "NCDEX"
    CRYPTO = "CRYPTO"


def _instrument_kind(value: object) -> object:
    if value in ("futures", "options"):
        return value
    raise ValueError("Must be one of: futures, options.")


def _option_type(value: object) -> str:
    if isinstance(value, str) and value in ("CE", "PE", "ce", "pe"):
        return value.upper()
    raise ValueError("Must be one of: CE, PE.")


def _offset(value: object) -> str:
    from backend.domains.symbols.index import OptionResolutionError, parse_offset

    try:
        if not isinstance(value, str):
            raise OptionResolutionError("bad")
        parse_offset(value)
    except OptionResolutionError:
        raise ValueError("Offset must be ATM, ITM1-ITM50, or OTM1-OTM50") from None
    return value.strip().upper()


class SymbolRequest(BaseModel):
    model_config = STRICT
    apikey: ApiKey
    symbol: str
    exchange: ExchangeField


class SearchRequest(BaseModel):
    model_config = STRICT
    apikey: ApiKey
    query: str
    exchange: ExchangeField | None = None
    instrumenttype: str | None = None  # an Algogate extension: EQ, FUT, CE, PE, INDEX …


class ExpiryRequest(BaseModel):
    model_config = STRICT
    apikey: ApiKey
    symbol: str
    exchange: Annotated[FnoExchange, enum_field(FnoExchange)]
    instrumenttype: Annotated[Literal["futures", "options"], BeforeValidator(_instrument_kind)]


class OptionSymbolRequest(BaseModel):
    model_config = STRICT
    apikey: ApiKey
    underlying: str
    exchange: ExchangeField
    expiry_date: str | None = None
    offset: Annotated[str, BeforeValidator(_offset)]
    option_type: Annotated[str, BeforeValidator(_option_type)]
    strike_int: Annotated[int | None, positive_int("Must be greater than or equal to 1.")] = None
    strategy: str | None = None


class IntervalsRequest(BaseModel):
    model_config = STRICT
    apikey: ApiKey


INSTRUMENT_FIELDS = ("symbol", "brsymbol", "name", "exchange", "brexchange", "token", "expiry", "strike",
                     "lotsize", "instrumenttype", "tick_size")


def instrument_row(item: Instrument) -> dict:
    """The master-contract record as OpenAlgo renders it (no id, no freeze_qty)."""
    return {"symbol": item.symbol, "brsymbol": item.brsymbol, "name": item.name, "exchange": item.exchange.value,
            "brexchange": item.brexchange, "token": item.token, "expiry": item.expiry_text,
            "strike": float(item.strike) if item.strike is not None else 0.0, "lotsize": item.lotsize,
            "instrumenttype": item.instrumenttype, "tick_size": float(item.tick_size)}


def instrument_record(item: Instrument, index: SymbolIndex) -> dict:
    """`/symbol`: the row plus its id and freeze quantity (1 when the exchange sets none)."""
    return {"id": index.row_id(item), **instrument_row(item), "freeze_qty": item.freeze_qty or 1}


def search_row(item: Instrument) -> dict:
    return {**instrument_row(item), "freeze_qty": item.freeze_qty or 1}


def exchange_values() -> list[str]:
    return [member.value for member in Exchange]

