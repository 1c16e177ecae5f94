"""Benchmarks: each starts a real server and drives it from a separate process over loopback."""
