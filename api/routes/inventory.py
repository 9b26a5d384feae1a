"""The ledger's levels: availability, absolute stock levels and fulfilments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query

from api.deps import AdminCaller, RouteCaller, ServicesDep
from api.schemas import Availability, FulfillmentIn, StockLevelIn, StockLevelOut, error_responses
from dom.inventory import StockLevel

router = APIRouter(prefix="/v1", tags=["inventory"])


def _level_json(level: StockLevel) -> dict[str, object]:
    return {
        "fc_id": level.fc_id,
        "sku": level.sku,
        "on_hand": level.on_hand,
        "safety_stock": level.safety_stock,
        "reserved": level.reserved,
        "allocated": level.allocated,
        "available": level.available,
        "shortfall": level.shortfall,
        "reorder_point": level.reorder_point,
    }


@router.get(
    "/availability", response_model=Availability, responses=error_responses(401, 403, 422, 503)
)
def get_availability(
    sku: Annotated[list[str], Query(min_length=1, max_length=1000)],
    services: ServicesDep,
    _: RouteCaller,
) -> dict[str, dict[str, int]]:
    """Available units (``on_hand - safety_stock - reserved - allocated``) per enabled node."""
    return services.store.availability(list(dict.fromkeys(sku)))


@router.put(
    "/inventory",
    response_model=list[StockLevelOut],
    responses=error_responses(401, 403, 413, 422, 503),
)
def put_inventory(
    levels: Annotated[
        list[StockLevelIn],
        Body(examples=[[{"fc_id": "FC-RNO", "sku": "SKU-00002", "on_hand": 40}]]),
    ],
    services: ServicesDep,
    _: AdminCaller,
) -> list[dict[str, object]]:
    """Set absolute on_hand (and safety_stock) from a count or WMS sync, all rows or none.

    Holds and allocations are kept; ``shortfall`` reports rows now promised beyond the shelf.
    """
    rows = [(x.fc_id, x.sku, x.on_hand, x.safety_stock) for x in levels]
    return [_level_json(level) for level in services.store.set_levels(rows)]


@router.post(
    "/fulfillments",
    response_model=StockLevelOut,
    responses=error_responses(401, 403, 409, 422, 503),
)
def post_fulfillment(
    shipped: FulfillmentIn, services: ServicesDep, _: AdminCaller
) -> dict[str, object]:
    """Units shipped: lowers on_hand and allocated together (409 beyond what is allocated)."""
    return _level_json(services.store.fulfil(shipped.fc_id, shipped.sku, shipped.qty))
