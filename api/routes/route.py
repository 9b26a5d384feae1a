"""``POST /v1/route``: one order in, its plan (and optionally its hold) out."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse

from api.deps import RouteCaller, ServicesDep
from api.routing import route
from api.schemas import OrderIn, RouteResponse, error_responses

router = APIRouter(tags=["route"])


@router.post(
    "/v1/route",
    response_model=None,
    responses={200: {"model": RouteResponse}, **error_responses(401, 403, 409, 413, 422, 503)},
)
def route_one_order(
    order: OrderIn,
    services: ServicesDep,
    caller: RouteCaller,
    reserve: Annotated[bool, Query(description="hold the chosen stock")] = False,
    idempotency_key: Annotated[
        str | None,
        Header(min_length=1, max_length=200, description="retries return the first answer"),
    ] = None,
) -> JSONResponse:
    """Route one order (contracts §2) with the exact single-order kernel over live availability.

    With ``reserve=true`` the chosen units are held all-or-nothing for the reservation TTL; commit
    or release the hold with ``/v1/reservations/{id}``. The same ``Idempotency-Key`` (per API
    key) returns the first answer and holds stock once.
    """
    body = order.model_dump(exclude_unset=True)
    settings = services.settings

    def compute() -> dict[str, Any]:
        return route(
            services.router,
            services.store,
            services.metrics,
            body,
            reserve=reserve,
            ttl_seconds=settings.reservation_ttl_seconds,
            max_resolves=settings.max_resolves,
        )

    if idempotency_key is None:
        return JSONResponse(compute())
    request_text = json.dumps([body, reserve], sort_keys=True, default=str)
    answer = services.store.idempotent(
        f"{caller.tag}:{idempotency_key}",
        compute,
        fingerprint=hashlib.sha256(request_text.encode()).hexdigest(),
        ttl_seconds=settings.idempotency_ttl_seconds,
    )
    return JSONResponse(answer)
