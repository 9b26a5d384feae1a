"""Pydantic schemas per resource, mirroring contracts.md; kept at the edge of the service."""

from api.schemas.allocations import AllocationRequest, JobAccepted, JobStatus
from api.schemas.common import ErrorResponse, error_responses
from api.schemas.inventory import (
    Availability,
    FulfillmentIn,
    RestockAlertOut,
    RestockAlerts,
    StockLevelIn,
    StockLevelOut,
)
from api.schemas.orders import OrderIn, ReservationOut, ReservationRef, RouteResponse
from api.schemas.pick_routes import PickRouteIn, PickRouteOut

__all__ = [
    "AllocationRequest",
    "Availability",
    "ErrorResponse",
    "FulfillmentIn",
    "JobAccepted",
    "JobStatus",
    "OrderIn",
    "PickRouteIn",
    "PickRouteOut",
    "ReservationOut",
    "ReservationRef",
    "RestockAlertOut",
    "RestockAlerts",
    "RouteResponse",
    "StockLevelIn",
    "StockLevelOut",
    "error_responses",
]
