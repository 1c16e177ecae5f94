"""Errors of the accounts domain; each carries its HTTP status and renders as the envelope."""

from __future__ import annotations

from backend.core.errors import AppError, AuthError, ConflictError

INVALID_API_KEY = "Invalid openalgo apikey"
INVALID_CREDENTIALS = "Invalid username or password"


class InvalidApiKeyError(AuthError):
    def __init__(self) -> None:
        super().__init__(INVALID_API_KEY)


class NotAuthenticatedError(AppError):
    status = 401


class PasswordPolicyError(AppError):
    status = 400


class UsernameTakenError(ConflictError):
    def __init__(self) -> None:
        super().__init__("Username is already taken")


class SetupClosedError(AuthError):
    def __init__(self) -> None:
        super().__init__("Setup is already complete")
