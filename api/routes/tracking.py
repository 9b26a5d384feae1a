"""``POST /v1/tracking``: a carrier's event for a shipped fulfillment (contracts §7)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import CarrierCaller, ServicesDep, oms_of
from api.schemas import error_responses
from api.schemas.lifecycle import FulfillmentOut, TrackingIn
from dom import orders

router = APIRouter(prefix="/v1", tags=["tracking"])


@router.post(
    "/tracking",
    response_model=FulfillmentOut,
    responses=error_responses(401, 403, 404, 409, 422, 503),
)
def track(event: TrackingIn, services: ServicesDep, _: CarrierCaller) -> dict[str, Any]:
    """Record the event; ``delivered`` delivers the fulfillment. A repeated or older event never
    moves a status back; an unknown tracking number is 404."""
    return orders.track(oms_of(services), event.model_dump(exclude_none=True))
