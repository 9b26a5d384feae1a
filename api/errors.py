"""The one place turning exceptions into HTTP answers ``{"error": {"code", "message", "field"}}``.

Domain errors keep their meaning: bad input -> 422 naming the JSON field, an unknown reservation,
order, fulfillment or return -> 404, a conflict with the ledger's state or a transition the
order's state does not allow -> 409, an unreachable Redis -> 503 with
``Retry-After``. Nothing the client can cause answers 500; an unexpected error is logged (without
the request body, which may hold an address) and answered 500 in the same shape.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import redis
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from dom.errors import DomError, InvalidInput, UnknownNode, UnknownSku
from dom.inventory import (
    IdempotencyInProgress,
    LedgerConflict,
    ReservationNotFound,
    StoreUnavailable,
)
from dom.orders import Contention, IllegalTransition, OrderConflict, OrderNotFound

log = logging.getLogger("dom.api")

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    503: "unavailable",
}


class ApiError(Exception):
    """An answer decided by the API itself (auth, limits, unknown job)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    """The error shape of contracts §6."""
    return {"error": {"code": code, "message": message, "field": field}}


def error_response(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(error_body(code, message, field), status_code=status, headers=headers)


def field_path(loc: Sequence[str | int]) -> str:
    """``("body", "lines", 1, "qty")`` -> ``lines[1].qty`` (the form ``dom.io`` uses)."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def to_response(exc: Exception) -> JSONResponse:
    """The HTTP answer of any exception (the mapping the module docstring describes)."""
    if isinstance(exc, ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.field, exc.headers)
    if isinstance(exc, StoreUnavailable):
        retry = {"Retry-After": str(exc.retry_after)}
        return error_response(503, "store_unavailable", str(exc), None, retry)
    if isinstance(exc, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError):
        # the job queue talks to Redis directly (RQ), not through the ledger
        return error_response(
            503,
            "store_unavailable",
            "Redis is unreachable; retry shortly",
            None,
            {"Retry-After": "1"},
        )
    if isinstance(exc, InvalidInput):
        code = "invalid_input"
        if isinstance(exc, UnknownSku):
            code = "unknown_sku"
        elif isinstance(exc, UnknownNode):
            code = "unknown_node"
        # JSON errors name their field in `field`; file errors keep file, row and column
        text = str(exc)
        if not exc.file and exc.row is None:
            text = exc.message + (f" (fix: {exc.fix})" if exc.fix else "")
        return error_response(422, code, text, exc.column or None)
    if isinstance(exc, ReservationNotFound | OrderNotFound):
        return error_response(404, "not_found", str(exc))
    if isinstance(exc, IllegalTransition):
        return error_response(409, "illegal_transition", str(exc))
    if isinstance(exc, OrderConflict):
        return error_response(409, "conflict", str(exc), "order_id")
    if isinstance(exc, Contention):
        return error_response(409, "contention", str(exc), None, {"Retry-After": "1"})
    if isinstance(exc, IdempotencyInProgress):
        return error_response(409, "in_progress", str(exc), "Idempotency-Key", {"Retry-After": "1"})
    if isinstance(exc, LedgerConflict):
        return error_response(409, "conflict", str(exc))
    if isinstance(exc, DomError):
        return error_response(422, "invalid_input", str(exc))
    log.error("unexpected %s while serving a request", type(exc).__name__, exc_info=exc)
    return error_response(500, "internal", "internal error (logged); please report it")


def _validation_response(exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    field = field_path(first.get("loc", ()))
    where = f"{field}: " if field else ""
    message = where + str(first.get("msg", "invalid value"))
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more)"
    return error_response(422, "invalid_input", message, field or None)


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""

    async def on_error(request: Request, exc: Exception) -> JSONResponse:
        return to_response(exc)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return _validation_response(exc)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = _STATUS_CODES.get(exc.status_code, "error")
        headers = dict(exc.headers) if exc.headers else None
        return error_response(exc.status_code, code, str(exc.detail), None, headers)

    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    for cls in (ApiError, DomError, redis.exceptions.RedisError, Exception):
        app.add_exception_handler(cls, on_error)
