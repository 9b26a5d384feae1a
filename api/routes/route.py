"""``POST /v1/route``: one order in, its plan (and optionally its hold) out.

The hot path of the service, so it is written lean (server CPU per call, profiled on 2 cores):

- it is served by a plain Starlette route (``ROUTE``), not FastAPI's request handler: that
  machinery (dependency solving, response model handling) cost a sizeable share of the whole call
  (docs/service.md, The hot path). ``OPENAPI_ROUTE``, a FastAPI route of the same function,
  describes it in the OpenAPI document (``_OPENAPI``: body, parameters and key) without ever
  serving it;
- it runs on the event loop: the work is the kernel (well under a millisecond) and one or two
  short Redis scripts awaited without blocking the loop (``RedisStore.availability_async``);
- it reads the request itself: the body as bytes, validated by ``dom.io.order_from_json`` (which
  names the offending JSON field), ``reserve``, ``Idempotency-Key`` and the API key checked here.

Calls with an ``Idempotency-Key`` go to the threadpool: they may wait for another replica
computing the same key, and that wait must not stall the loop.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import anyio.from_thread
from fastapi import Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.routing import Match, Route
from starlette.types import Scope

from api.deps import Services, authorize
from api.errors import ApiError
from api.routing import route
from api.schemas import RouteResponse, error_responses
from dom.errors import InvalidInput
from dom.io import parse_json

_MAX_KEY_CHARS = 200
_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})

_OPENAPI: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderIn"}}},
    },
    "parameters": [
        {
            "name": "reserve",
            "in": "query",
            "required": False,
            "description": "hold the chosen stock",
            "schema": {"type": "boolean", "default": False},
        },
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": "retries return the first answer",
            "schema": {"type": "string", "minLength": 1, "maxLength": _MAX_KEY_CHARS},
        },
    ],
    "security": [{"APIKeyHeader": []}],
}


def _reserve_flag(request: Request) -> bool:
    value = request.query_params.get("reserve")
    if value is None:
        return False
    word = value.lower()
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise ApiError(
        422, "invalid_input", f"reserve is {value!r}; give true or false", field="reserve"
    )


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is not None and not 1 <= len(key) <= _MAX_KEY_CHARS:
        raise ApiError(
            422,
            "invalid_input",
            f"Idempotency-Key must have 1 to {_MAX_KEY_CHARS} characters, got {len(key)}",
            field="Idempotency-Key",
        )
    return key


def _order_json(raw: bytes) -> Any:
    try:
        return parse_json(raw)
    except InvalidInput as exc:
        raise ApiError(422, "invalid_input", f"the body is not JSON: {exc.message}") from None


async def route_one_order(request: Request) -> JSONResponse:
    """Route one order (contracts §2) with the single-order kernel over live availability.

    With ``reserve=true`` the chosen units are held all-or-nothing for the reservation TTL; commit
    or release the hold with ``/v1/reservations/{id}``. The same ``Idempotency-Key`` (per API
    key) returns the first answer and holds stock once.
    """
    caller = authorize(request, "route")
    reserve = _reserve_flag(request)
    idempotency_key = _idempotency_key(request)
    body = _order_json(await request.body())
    services: Services = request.app.state.services
    settings = services.settings

    async def compute() -> dict[str, Any]:
        return await route(
            services.router,
            services.store,
            services.metrics,
            body,
            reserve=reserve,
            ttl_seconds=settings.reservation_ttl_seconds,
            max_resolves=settings.max_resolves,
        )

    if idempotency_key is None:
        return JSONResponse(await compute())
    request_text = json.dumps([body, reserve], sort_keys=True, default=str)
    answer = await run_in_threadpool(
        services.store.idempotent,
        f"{caller.tag}:{idempotency_key}",
        lambda: anyio.from_thread.run(compute),
        fingerprint=hashlib.sha256(request_text.encode()).hexdigest(),
        ttl_seconds=settings.idempotency_ttl_seconds,
    )
    return JSONResponse(answer)


class _NamedRoute(Route):
    """A Starlette route that names itself in the scope, as FastAPI's routes do (the ``Timing``
    middleware labels latency by the matched route's path)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match is not Match.NONE:
            child_scope["route"] = self
        return match, child_scope


ROUTE = _NamedRoute("/v1/route", route_one_order, methods=["POST"])
OPENAPI_ROUTE = APIRoute(
    "/v1/route",
    route_one_order,
    methods=["POST"],
    tags=["route"],
    response_model=None,
    responses={200: {"model": RouteResponse}, **error_responses(401, 403, 409, 413, 422, 503)},
    openapi_extra=_OPENAPI,
)
