"""``/v1/fulfillments``: the warehouse's release (with waves), pick and ship (contracts §7)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from fastapi import Path as PathParam

from api.deps import ServicesDep, WarehouseCaller, oms_of
from api.schemas import error_responses
from api.schemas.lifecycle import FulfillmentOut, PickIn, ReleaseIn, ReleaseOut, ShipIn
from dom import orders
from warehouse_graph import Cart

router = APIRouter(prefix="/v1/fulfillments", tags=["fulfillments"])

FulfillmentId = Annotated[str, PathParam(min_length=1, max_length=160)]
_ERRORS = error_responses(401, 403, 404, 409, 422, 503)


@router.post("/release", response_model=ReleaseOut, responses=_ERRORS)
def release(body: ReleaseIn, services: ServicesDep, _: WarehouseCaller) -> dict[str, Any]:
    """The node's allocated fulfillments (orders not on hold, oldest first) become released;
    with a layout and slotting for the node, grouped into waves with their pick routes."""
    cart = None if body.cart is None else Cart(body.cart.units, body.cart.orders)
    return orders.release(oms_of(services), body.fc_id, max_orders=body.max_orders, cart=cart)


@router.post("/{fulfillment_id}/pick", response_model=FulfillmentOut, responses=_ERRORS)
def pick(
    fulfillment_id: FulfillmentId, body: PickIn, services: ServicesDep, _: WarehouseCaller
) -> dict[str, Any]:
    """What was picked, every line; missing units lower the node's on_hand and are re-routed."""
    return orders.pick(oms_of(services), fulfillment_id, [line.model_dump() for line in body.lines])


@router.post("/{fulfillment_id}/ship", response_model=FulfillmentOut, responses=_ERRORS)
def ship(
    fulfillment_id: FulfillmentId,
    services: ServicesDep,
    _: WarehouseCaller,
    body: ShipIn | None = None,
) -> dict[str, Any]:
    """Shipped: the units leave on_hand and allocated together; a unique tracking number is
    made when none is given."""
    given = ShipIn() if body is None else body
    return orders.ship(
        oms_of(services),
        fulfillment_id,
        carrier=given.carrier,
        service=given.service,
        tracking_number=given.tracking_number,
    )
