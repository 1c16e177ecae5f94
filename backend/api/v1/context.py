"""Who is calling and through which gateway. Schema validation runs first (FastAPI parses the
body), then the key is verified — so a malformed request gets 400 before 403, as in OpenAlgo."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from backend.core.errors import AppError
from backend.domains.accounts.auth import AuthenticatedUser, authenticate_api_key
from backend.domains.symbols.service import SymbolMaster
from backend.domains.trading.gateway import Gateway
from brokers.contract import Exchange, Instrument


@dataclass(frozen=True)
class Caller:
    user: AuthenticatedUser
    gateway: Gateway


async def authorize(request: Request, apikey: str) -> Caller:
    user = await authenticate_api_key(request, apikey)
    gateway = await request.app.state.gateways.for_user(user)
    request.state.trading_mode = "analyze" if gateway.analyze else "live"  # the API log's analyzer view
    request.state.symbols = gateway.symbols  # lookups below use the caller's broker's master
    request.state.gateway = gateway
    return Caller(user, gateway)


def symbols_of(request: Request) -> SymbolMaster:
    """The master contract of the authorized caller's broker (the simulator's before `authorize`)."""
    return getattr(request.state, "symbols", None) or request.app.state.symbols


def unknown_symbol_message(symbol: str, exchange: str) -> str:
    return (f"Symbol '{symbol}' not found for exchange '{exchange}'. Please verify the symbol name and ensure "
            "master contracts are downloaded.")


def instrument_or_400(request: Request, exchange: Exchange | str, symbol: str) -> Instrument:
    instrument = symbols_of(request).get(exchange, symbol)
    if instrument is None:
        raise AppError(unknown_symbol_message(symbol, str(exchange)), 400)
    return instrument
