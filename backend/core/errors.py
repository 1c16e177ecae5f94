"""One error type that carries its HTTP status, and the handlers that render OpenAlgo's envelope."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from backend.core.responses import FastJSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

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


def pydantic_errors_to_fields(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """Render pydantic errors as marshmallow-style `{field: [message]}` as OpenAlgo clients expect."""
    fields: dict[str, Any] = {}
    for error in errors:
        loc = [part for part in error.get("loc", ()) if part not in ("body", "query", "path")]
        kind = error.get("type", "")
        if kind == "missing":
            text = "Missing data for required field."
        elif kind == "extra_forbidden":
            text = "Unknown field."
        elif kind in ("json_invalid", "model_attributes_type", "dict_type", "model_type") and not loc:
            text = "Invalid input type."
        else:
            text = str(error.get("msg", "Invalid value.")).removeprefix("Value error, ")
        if not loc:
            fields.setdefault("_schema", []).append(text)
            continue
        node = fields
        for part in loc[:-1]:
            node = node.setdefault(str(part), {})
        node.setdefault(str(loc[-1]), []).append(text)
    return fields


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(_: Request, exc: AppError) -> JSONResponse:
        return envelope(exc.message, exc.status, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        if any(e.get("type") == "json_invalid" for e in errors):
            return envelope("Invalid JSON in request body.", 400)
        return envelope(pydantic_errors_to_fields(errors), 400)

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
