"""The order lifecycle at the edge (contracts §7): requests in, resources out, with examples."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.orders import ORDER_EXAMPLE, DestinationIn, OrderIn, OrderLineIn
from dom.model import MAX_QTY

_LineNo = Field(ge=0, le=1_000_000, description="the line's position in its order (0-based)")
_Forbid = ConfigDict(extra="forbid")


class OrderCreate(OrderIn):
    """An order of contracts §2, routed at once (``now``) or left for a batch (``batch``)."""

    model_config = ConfigDict(
        extra="allow", json_schema_extra={"examples": [{**ORDER_EXAMPLE, "allocation": "now"}]}
    )

    allocation: Literal["now", "batch"] = "now"


class LineQty(BaseModel):
    model_config = _Forbid
    line_no: int = _LineNo
    qty: int = Field(ge=1, le=MAX_QTY)


class CancelIn(BaseModel):
    """Units to cancel per line; no body cancels every unit not yet picked."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"lines": [{"line_no": 0, "qty": 1}]}]}
    )
    lines: list[LineQty] = Field(min_length=1, max_length=1000)


class HoldIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "fraud review"}]}
    )
    reason: str | None = Field(default=None, min_length=1, max_length=500)


class CartIn(BaseModel):
    model_config = _Forbid
    units: int = Field(ge=1, le=100_000, description="units a picking cart holds")
    orders: int = Field(ge=1, le=1_000, description="orders a picking cart holds")


class ReleaseIn(BaseModel):
    """Release a node's allocated fulfillments (oldest first) to its warehouse."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"fc_id": "FC-ATL", "max_orders": 50, "cart": {"units": 40, "orders": 10}}]
        },
    )
    fc_id: str = Field(min_length=1, max_length=128)
    max_orders: int | None = Field(default=None, ge=1, le=10_000)
    cart: CartIn | None = None


class PickLine(BaseModel):
    model_config = _Forbid
    line_no: int = _LineNo
    picked_qty: int = Field(ge=0, le=MAX_QTY)


class PickIn(BaseModel):
    """What was picked, every line of the fulfillment (a short pick gives fewer units)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"lines": [{"line_no": 0, "picked_qty": 2}]}]},
    )
    lines: list[PickLine] = Field(min_length=1, max_length=1000)


class ShipIn(BaseModel):
    """Carrier, service and tracking number; the fulfillment's own service and a made-up unique
    number when left out."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"carrier": "UPS", "service": "GROUND"}]}
    )
    carrier: str | None = Field(default=None, min_length=1, max_length=64)
    service: str | None = Field(default=None, min_length=1, max_length=64)
    tracking_number: str | None = Field(default=None, min_length=1, max_length=64)


class TrackingIn(BaseModel):
    """A carrier's event."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "tracking_number": "DOM3F1C9A7E0B2D4C6E8A1B3C",
                    "status": "delivered",
                    "at": "2026-03-05T10:00:00Z",
                }
            ]
        },
    )
    tracking_number: str = Field(min_length=1, max_length=64)
    status: Literal["in_transit", "out_for_delivery", "delivered", "exception"]
    at: str = Field(min_length=1, max_length=64, description="ISO-8601 time of the event")
    detail: str | None = Field(default=None, min_length=1, max_length=500)


class ReturnLineIn(BaseModel):
    model_config = _Forbid
    line_no: int = _LineNo
    qty: int = Field(ge=1, le=MAX_QTY)
    reason: str | None = Field(default=None, min_length=1, max_length=500)


class ReturnIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"lines": [{"line_no": 0, "qty": 1, "reason": "too small"}]}]
        },
    )
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=1000)


class ReceiveLineIn(BaseModel):
    model_config = _Forbid
    line_no: int = _LineNo
    qty: int = Field(ge=1, le=MAX_QTY)
    condition: Literal["sellable", "damaged"]


class ReceiveIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"lines": [{"line_no": 0, "qty": 1, "condition": "sellable"}]}]
        },
    )
    lines: list[ReceiveLineIn] = Field(min_length=1, max_length=1000)


class PromiseIn(BaseModel):
    """A cart and where it goes."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"lines": [{"sku": "SKU-00002", "qty": 2}], "destination": {"zip": "89501"}}
            ]
        },
    )
    lines: list[OrderLineIn] = Field(min_length=1, max_length=1000)
    destination: DestinationIn
    ship_complete: bool | None = False


class LineOut(BaseModel):
    line_no: int
    sku: str
    qty: int
    pending: int
    backordered: int
    allocated: int
    shipped: int
    delivered: int
    cancelled: int
    returned: int


class FulfillmentLineOut(BaseModel):
    line_no: int
    sku: str
    qty: int
    missing: int = Field(description="units found short at the pick")


class FulfillmentOut(BaseModel):
    """A shipment of contracts §3: allocated -> released -> picked -> shipped -> delivered, or
    cancelled."""

    fulfillment_id: str = Field(examples=["SO-1001-F1"])
    order_id: str
    fc_id: str
    status: str = Field(examples=["allocated"])
    lines: list[FulfillmentLineOut]
    service: str
    carrier: str | None
    tracking_number: str | None
    ship_cost: float
    eta_days: int
    promised_date: str
    estimated_date: str
    wave_id: str | None
    tracking_status: str | None
    exception: str | None
    created_at: str | None
    released_at: str | None
    shipped_at: str | None
    delivered_at: str | None


class ReturnLineOut(BaseModel):
    line_no: int
    sku: str
    qty: int
    reason: str | None
    sellable: int
    damaged: int


class ReturnOut(BaseModel):
    return_id: str = Field(examples=["SO-1001-R1"])
    order_id: str
    status: str = Field(examples=["requested"])
    to_fc_id: str
    label_cost: float
    lines: list[ReturnLineOut]
    created_at: str | None
    received_at: str | None


class OrderOut(BaseModel):
    """The order resource of contracts §7."""

    order_id: str = Field(examples=["SO-1001"])
    channel: str
    status: str = Field(examples=["allocated"])
    on_hold: bool
    hold_reason: str | None
    created_at: str | None
    promised_days: int
    destination: dict[str, Any]
    ship_complete: bool
    allocation: str
    lines: list[LineOut]
    fulfillments: list[FulfillmentOut]
    returns: list[ReturnOut]


class OrderPage(BaseModel):
    orders: list[OrderOut]
    next_cursor: str | None


class ImportOut(BaseModel):
    created: int
    duplicates: int
    rejected: list[dict[str, Any]] = Field(description="[{row, column, message}]")


class ReleaseOut(BaseModel):
    fc_id: str
    released: list[FulfillmentOut]
    waves: dict[str, Any] | None = Field(description="waves with their pick routes (§5), or null")


class TrackingOut(BaseModel):
    order_id: str
    status: str
    fulfillments: list[dict[str, Any]]


class PromiseOption(BaseModel):
    eta_days: int
    cost: float
    shipments: list[dict[str, Any]]


class PromiseOut(BaseModel):
    """The cheapest plan for each achievable delivery time, fastest first, none dominated."""

    options: list[PromiseOption]
