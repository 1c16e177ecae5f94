"""Security primitives: password hashing, keyed digests, encryption at rest, TOTP, random tokens.

Everything is derived from settings (`API_KEY_PEPPER`, `APP_KEY`) so a stolen database alone
is useless: password hashes are peppered, API keys are stored as HMAC digests plus a Fernet copy,
and broker tokens are Fernet-encrypted with a key the database never sees.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from backend.core.settings import Settings

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

API_KEY_BYTES = 32  # 64 hex characters, as OpenAlgo
TOTP_ISSUER = "Algogate"


def new_api_key() -> str:
    return secrets.token_hex(API_KEY_BYTES)


def new_token(nbytes: int = 32) -> str:
    """URL-safe random token (session ids, CSRF tokens)."""
    return secrets.token_urlsafe(nbytes)


def constant_time_equals(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode(), right.encode())


class DecryptionError(Exception):
    """A ciphertext did not decrypt with the current key (pepper changed or data tampered)."""


@dataclass(frozen=True)
class Secrets:
    """Keys derived once from settings. Cheap to keep on `app.state`; never logged."""

    pepper: bytes = field(repr=False)
    app_key: bytes = field(repr=False)
    hasher: PasswordHasher

    @classmethod
    def from_settings(cls, settings: Settings) -> Secrets:
        pepper = settings.api_key_pepper.encode()
        return cls(
            pepper=pepper,
            app_key=settings.app_key.encode(),
            hasher=PasswordHasher(
                time_cost=settings.argon2_time_cost,
                memory_cost=settings.argon2_memory_kib,
                parallelism=settings.argon2_parallelism,
            ),
        )

    def __repr__(self) -> str:  # keep keys out of tracebacks and debug output
        return "Secrets(***)"

    # --- keyed digests -----------------------------------------------------------------------

    def digest(self, value: str) -> str:
        """HMAC-SHA256(pepper, value) as hex: a lookup key that is useless without the pepper."""
        return hmac.new(self.pepper, value.encode(), hashlib.sha256).hexdigest()

    def sign(self, value: str) -> str:
        """HMAC-SHA256(app_key, value): binds CSRF tokens to their session."""
        return hmac.new(self.app_key, value.encode(), hashlib.sha256).hexdigest()

    # --- passwords ---------------------------------------------------------------------------

    def _peppered(self, password: str) -> bytes:
        # HMAC first: the pepper is applied without length limits and argon2 sees fixed-size input.
        return hmac.new(self.pepper, password.encode(), hashlib.sha256).digest()

    def hash_password(self, password: str) -> str:
        return self.hasher.hash(self._peppered(password))

    def verify_password(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, self._peppered(password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def password_needs_rehash(self, password_hash: str) -> bool:
        try:
            return self.hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    # --- encryption at rest --------------------------------------------------------------------

    @cached_property
    def fernet(self) -> Fernet:
        # Built on first use: cryptography costs ~8 MB of RSS, and a simulator-only deployment may
        # never encrypt anything (broker tokens, the API key's recoverable copy, TOTP secrets).
        from cryptography.fernet import Fernet

        return Fernet(_derive_fernet_key(self.pepper))

    def encrypt(self, plaintext: str) -> str:
        return self.fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        from cryptography.fernet import InvalidToken

        try:
            return self.fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise DecryptionError("stored secret does not decrypt with the current pepper") from exc


def _derive_fernet_key(pepper: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"algogate-fernet-salt-v1",
                info=b"algogate encryption at rest v1")
    return base64.urlsafe_b64encode(hkdf.derive(pepper))


# --- TOTP ------------------------------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)


def totp_matching_step(secret: str, code: str, *, at: float | None = None, window: int = 1) -> int | None:
    """The 30-second time step the code belongs to (±`window` steps for clock drift), or None.

    Returning the step lets the caller refuse a code whose step was already used (replay)."""
    code = code.strip()
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if at is None else at
    current = int(now // totp.interval)
    for step in range(current - window, current + window + 1):
        if hmac.compare_digest(totp.at(step * totp.interval), code):
            return step
    return None
