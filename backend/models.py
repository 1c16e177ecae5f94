"""Imports every model module so both metadata objects are complete (Alembic, tests)."""

# Each domain adds its models module here, e.g.:
# from backend.domains.accounts import models as _accounts  # noqa: F401
