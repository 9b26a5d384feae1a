"""``POST /v1/promise``: delivery options of a cart at checkout (contracts §7)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import RouteCaller, ServicesDep, oms_of
from api.schemas import error_responses
from api.schemas.lifecycle import PromiseIn, PromiseOut
from dom import orders

router = APIRouter(prefix="/v1", tags=["promise"])


@router.post("/promise", response_model=PromiseOut, responses=error_responses(401, 403, 422, 503))
def promise(cart: PromiseIn, services: ServicesDep, _: RouteCaller) -> dict[str, Any]:
    """The cheapest plan for each achievable delivery time over live stock, fastest first."""
    return orders.promise(oms_of(services), cart.model_dump(exclude_unset=True))
