"""Schemas shared by every resource: the error shape of contracts §6."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(examples=["invalid_input"])
    message: str = Field(
        examples=["lines[1].qty is 0 (fix: qty must be a whole number of at least 1)"]
    )
    field: str | None = Field(default=None, examples=["lines[1].qty"])


class ErrorResponse(BaseModel):
    """Every error answer: ``{"error": {"code", "message", "field"}}``."""

    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI ``responses`` entries for these error statuses, all in the one error shape."""
    text = {
        401: "missing or unknown X-API-Key",
        403: "the key lacks the scope (or a non-loopback client without DOM_API_KEYS)",
        404: "no such resource",
        409: "conflicts with the ledger's current state",
        413: "request body too large",
        415: "unsupported content type",
        422: "invalid input; `field` names the JSON field",
        503: "Redis unreachable; retry after `Retry-After` seconds",
    }
    return {s: {"model": ErrorResponse, "description": text[s]} for s in statuses}
