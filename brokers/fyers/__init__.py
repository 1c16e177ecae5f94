"""Fyers (API v3) broker plugin: OAuth auth-code login, REST orders/books/market data, the public
symbol-master files and the binary HSM market-data socket. See `plugin.py` for the endpoint names."""
