"""Angel One (SmartAPI) broker plugin. See `plugin.py` for the endpoint names it reads."""
