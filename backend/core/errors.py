"""One error type that carries its HTTP status, and the handlers that render OpenAlgo's envelope."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.core.responses import FastJSONResponse
from brokers.contract.errors import BrokerError, SessionExpired

log = logging.getLogger("algogate.errors")

API_PREFIX = "/api/"


class AppError(Exception):
    """A failure the caller should see: `message` goes into the envelope, `status` is the HTTP code."""

    status: int = 400

    def __init__(self, message: str | dict[str, Any], status: int | None = None, **extra: Any) -> None:
        super().__init__(message if isinstance(message, str) else str(message))
        self.message = message
        if status is not None:
            self.status = status
        self.extra = extra


class NotFoundError(AppError):
    status = 404


class AuthError(AppError):
    status = 403


class ConflictError(AppError):
    status = 409


def envelope(message: Any, status: int, **extra: Any) -> FastJSONResponse:
    return FastJSONResponse({"status": "error", "message": message, **extra}, status_code=status)


# pydantic error types → the marshmallow wording OpenAlgo clients see and log.
_MESSAGES = {
    "missing": "Missing data for required field.",
    "extra_forbidden": "Unknown field.",
    "none_required": "Field may not be null.",
    "float_parsing": "Not a valid number.",
    "float_type": "Not a valid number.",
    "decimal_parsing": "Not a valid number.",
    "decimal_type": "Not a valid number.",
    "finite_number": "Not a valid number.",
    "int_parsing": "Not a valid integer.",
    "int_type": "Not a valid integer.",
    "int_from_float": "Not a valid integer.",
    "string_type": "Not a valid string.",
    "bool_parsing": "Not a valid boolean.",
    "bool_type": "Not a valid boolean.",
    "date_from_datetime_parsing": "Not a valid date.",
    "date_parsing": "Not a valid date.",
    "date_type": "Not a valid date.",
    "list_type": "Not a valid list.",
}


def _error_text(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind in _MESSAGES:
        if kind in ("string_type", "int_type", "float_type") and error.get("input", "") is None:
            return "Field may not be null."
        return _MESSAGES[kind]
    if kind in ("string_too_short", "string_too_long") and "min_length" in error.get("ctx", {}):
        return f"Length must be between {error['ctx']['min_length']} and {error['ctx'].get('max_length')}."
    return str(error.get("msg", "Invalid value.")).removeprefix("Value error, ")


def pydantic_errors_to_fields(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """Render pydantic errors as marshmallow-style `{field: [message]}` as OpenAlgo clients expect."""
    fields: dict[str, Any] = {}
    for error in errors:
        loc = [part for part in error.get("loc", ()) if part not in ("body", "query", "path")]
        kind = error.get("type", "")
        if not loc and kind in ("model_attributes_type", "dict_type", "model_type"):
            text = "Invalid input type."
        else:
            text = _error_text(error)
        if not loc:
            fields.setdefault("_schema", []).append(text)
            continue
        node = fields
        for part in loc[:-1]:
            node = node.setdefault(str(part), {})
        node.setdefault(str(loc[-1]), []).append(text)
    return fields


def validation_response(request: Request, fields: dict[str, Any]) -> FastJSONResponse:
    """OpenAlgo renders validation errors in one of four shapes, chosen per endpoint (api-v1 §1.5)."""
    route = request.scope.get("route")
    style = getattr(route, "error_style", "object")
    if style == "repr":
        return envelope(str(fields), 400)
    if style == "options":
        return envelope("Validation error", 400, errors=fields)
    if style == "greeks":
        return envelope("Validation failed", 400, errors=fields)
    return envelope(fields, 400)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(_: Request, exc: AppError) -> JSONResponse:
        return envelope(exc.message, exc.status, **exc.extra)

    @app.exception_handler(BrokerError)
    async def _broker_error(request: Request, exc: BrokerError) -> JSONResponse:
        """A broker call failed: name the broker and its message. A rejected token also ends the
        user's broker session everywhere (see `backend.domains.brokers.logins`)."""
        if isinstance(exc, SessionExpired):
            on_expired = getattr(request.app.state, "on_broker_session_expired", None)
            gateway = getattr(request.state, "gateway", None)
            if on_expired is not None and gateway is not None:
                await on_expired(gateway.user.id, gateway.user.username, exc.broker)
        return envelope(str(exc), exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        if any(e.get("type") == "json_invalid" for e in errors):
            return envelope("Invalid JSON in request body.", 400)
        return validation_response(request, pydantic_errors_to_fields(errors))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        path = request.url.path
        if path.startswith("/api/v1") and exc.status_code in (404, 405):
            # OpenAlgo answers a wrong method like an unknown path; SDKs rely on it.
            return envelope("Not found", 404, path=path)
        if exc.status_code == 404:
            return envelope("Not found", 404, path=path)
        if exc.status_code == 405:
            return envelope("Method not allowed", 405)
        detail = exc.detail if isinstance(exc.detail, str) else "Request failed"
        return envelope(detail, exc.status_code)

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return envelope("An unexpected error occurred", 500)
