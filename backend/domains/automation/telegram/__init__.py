"""Telegram: per-user links by one-time code, order alerts and a few read-only commands."""
