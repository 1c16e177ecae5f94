"""Zerodha (Kite Connect v3) broker plugin. See `plugin.py` for the endpoint names it reads."""
