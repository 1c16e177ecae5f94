"""Upstox (API v2 trading + v3 market data, MarketDataFeedV3 protobuf feed) broker plugin."""
