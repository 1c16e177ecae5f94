"""Helpers shared by broker plugins: pooled HTTP with rate limits and safe retries."""
