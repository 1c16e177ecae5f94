"""Transports: the OpenAlgo feed protocol over WebSocket (own port and `/ws`), and Socket.IO."""
