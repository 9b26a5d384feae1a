"""One order in (contracts §2) and its routing plan out (contracts §4 single-order form, §6)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from dom.model import MAX_ID_CHARS, MAX_LINES_PER_ORDER, MAX_PROMISED_DAYS, MAX_QTY

# printable characters: no control or separator characters (str.isprintable() is the check)
_Id = Annotated[
    str, Field(min_length=1, max_length=MAX_ID_CHARS, pattern=r"^[^\x00-\x1f\x7f-\x9f]+$")
]
# a whole number is read as its text, as in a CSV file
_IdNumber = Annotated[int, Field(ge=0, le=2**63 - 1)]

ORDER_EXAMPLE: dict[str, Any] = {
    "order_id": "SO-1001",
    "lines": [{"sku": "SKU-00002", "qty": 2}, {"sku": "SKU-00003", "qty": 1}],
    "destination": {"zip": "89501"},
    "promised_days": 3,
    "ship_complete": False,
    "channel": "web",
}


class OrderLineIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    sku: _Id | _IdNumber = Field(description="a SKU of skus.csv or a kit of kits.csv")
    qty: int = Field(ge=1, le=MAX_QTY)


class DestinationIn(BaseModel):
    """``{"zip": "89501"}`` or ``{"lat": .., "lon": ..}`` (lat/lon win when both are given)."""

    model_config = ConfigDict(extra="allow")

    zip: Annotated[str, Field(max_length=10)] | int | None = Field(default=None, examples=["89501"])
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class OrderIn(BaseModel):
    """One order (contracts §2)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [ORDER_EXAMPLE]})

    order_id: _Id | _IdNumber
    lines: list[OrderLineIn] = Field(min_length=1, max_length=MAX_LINES_PER_ORDER)
    destination: DestinationIn
    promised_days: int = Field(ge=0, le=MAX_PROMISED_DAYS)
    ship_complete: bool | None = False
    channel: str | None = Field(default=None, max_length=MAX_ID_CHARS)
    created_at: str | None = Field(
        default=None, description="ISO-8601; the service's clock when missing"
    )


class ShipmentOut(BaseModel):
    fc_id: str
    service: str
    lines: list[int] = Field(description="line_no of the order's lines in this shipment")
    ship_cost: float
    eta_days: int


class HoldItemOut(BaseModel):
    fc_id: str
    sku: str
    qty: int


class ReservationRef(BaseModel):
    id: str
    expires_at: str = Field(description="ISO 8601, UTC")
    items: list[HoldItemOut]


class RouteResponse(BaseModel):
    """The single-order plan of contracts §4, plus the hold when ``reserve=true``."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "order_id": "SO-1001",
                    "shipments": [
                        {
                            "fc_id": "FC-RNO",
                            "service": "GROUND",
                            "lines": [0, 1],
                            "ship_cost": 12.4,
                            "eta_days": 1,
                        }
                    ],
                    "unfilled": [],
                    "total_cost": 12.4,
                    "reservation": {
                        "id": "3f1c9a7e0b2d4c6e8a1b3c5d7e9f0a2b",
                        "expires_at": "2025-01-01T12:15:00Z",
                        "items": [
                            {"fc_id": "FC-RNO", "sku": "SKU-00002", "qty": 2},
                            {"fc_id": "FC-RNO", "sku": "SKU-00003", "qty": 1},
                        ],
                    },
                }
            ]
        }
    )

    order_id: str
    shipments: list[ShipmentOut]
    unfilled: list[int]
    total_cost: float
    reservation: ReservationRef | None = Field(
        default=None, description="with reserve=true; null when nothing could be allocated"
    )


class ReservationOut(BaseModel):
    """A hold and its state: held, committed, released or expired."""

    id: str
    state: str = Field(examples=["committed"])
    expires_at: str
    items: list[HoldItemOut]
