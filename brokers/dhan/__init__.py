"""Dhan (DhanHQ API v2) broker plugin. See `plugin.py` for the endpoint names it reads."""
