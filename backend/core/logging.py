"""One logging setup: console lines with the request id, secrets redacted before they are written."""

from __future__ import annotations

import logging
import re
import sys
from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

# Values that must never reach a log line: API keys, tokens, passwords, secrets in key=value,
# JSON or header form, and bare 64-hex strings (our API-key format).
_SECRET_KEYS = r"(?:apikey|api_key|x-api-key|password|passwd|secret|token|access_token|feed_token|auth_token|authorization|pepper|app_key|totp|otp|pin|session|cookie|csrf)"
_PATTERNS = [
    re.compile(rf"(?i)(\"?{_SECRET_KEYS}\"?\s*[:=]\s*\"?)([^\"\s,&}}']+)"),
    re.compile(rf"(?i)('{_SECRET_KEYS}'\s*:\s*')([^']+)"),
    re.compile(r"(?i)(bearer\s+)([A-Za-z0-9._\-~+/]+=*)"),
    re.compile(r"()\b[0-9a-f]{64}\b"),
]
REDACTED = "***"
# Every pattern needs a secret key word, "bearer" or a 64-hex run: one search rules most text out
# (log writer bodies, log lines) before the four substitutions run.
_MAYBE_SECRET = re.compile(rf"(?i){_SECRET_KEYS}|bearer|[0-9a-f]{{64}}")


def redact(text: str) -> str:
    if _MAYBE_SECRET.search(text) is None:
        return text
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


FORMAT = "%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s"


def setup_logging(level: str = "INFO") -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_algogate", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._algogate = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    logging.getLogger("uvicorn.access").setLevel("WARNING")
