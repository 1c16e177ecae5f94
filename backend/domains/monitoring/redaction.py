"""Redaction of request/response bodies before they are stored in the API log."""

from __future__ import annotations

import re
from typing import Any

import orjson

from backend.core.logging import REDACTED, redact

MAX_BODY_CHARS = 16_384
SECRET_FIELD = re.compile(
    r"(?i)^(apikey|api_key|x-api-key|password|new_password|current_password|passwd|secret|api_secret|"
    r"token|access_token|feed_token|auth_token|refresh_token|authorization|totp|totp_code|otp|pin|code)$"
)


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (REDACTED if isinstance(k, str) and SECRET_FIELD.match(k) else _scrub(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, str):
        return redact(value)
    return value


def redact_body(body: bytes | str) -> str:
    """JSON bodies: secret fields replaced by field name; anything else: the log-line patterns."""
    raw = body.encode() if isinstance(body, str) else body
    if not raw:
        return ""
    try:
        text = orjson.dumps(_scrub(orjson.loads(raw))).decode()
    except orjson.JSONDecodeError:
        text = redact(raw.decode("utf-8", errors="replace"))
    return text[:MAX_BODY_CHARS]
