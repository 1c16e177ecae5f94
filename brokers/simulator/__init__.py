"""The built-in simulator broker: a synthetic market that needs no credentials and no internet."""
