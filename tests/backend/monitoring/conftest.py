"""Monitoring tests reuse the accounts tests' `custom_app` (an app with chosen settings)."""

from tests.backend.accounts.conftest import custom_app  # noqa: F401
