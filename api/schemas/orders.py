"""One order in (contracts §2) and its routing plan out (contracts §4 single-order form, §6)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

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

    sku: str | int = Field(description="a SKU of skus.csv or a kit of kits.csv")
    qty: int = Field(ge=1)


class DestinationIn(BaseModel):
    """``{"zip": "89501"}`` or ``{"lat": .., "lon": ..}`` (lat/lon win when both are given)."""

    model_config = ConfigDict(extra="allow")

    zip: str | int | None = Field(default=None, examples=["89501"])
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class OrderIn(BaseModel):
    """One order (contracts §2)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [ORDER_EXAMPLE]})

    order_id: str | int
    lines: list[OrderLineIn] = Field(min_length=1)
    destination: DestinationIn
    promised_days: int = Field(ge=0)
    ship_complete: bool | None = False
    channel: str | None = None
    created_at: str | None = None


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
