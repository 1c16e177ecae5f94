"""Analyzer (sandbox) mode: the paper engine (brokers/paper) on the main database."""
