"""The ledger at the edge: fulfilments, absolute stock levels, availability, restock alerts."""

from __future__ import annotations

from pydantic import BaseModel, Field, RootModel


class FulfillmentIn(BaseModel):
    """Units shipped: lowers on_hand and allocated together."""

    fc_id: str = Field(min_length=1, examples=["FC-RNO"])
    sku: str = Field(min_length=1, examples=["SKU-00002"])
    qty: int = Field(ge=1, examples=[2])


class StockLevelIn(BaseModel):
    """An absolute level from a stock count or WMS sync (safety_stock kept when omitted)."""

    fc_id: str = Field(min_length=1, examples=["FC-RNO"])
    sku: str = Field(min_length=1, examples=["SKU-00002"])
    on_hand: int = Field(ge=0, examples=[40])
    safety_stock: int | None = Field(default=None, ge=0, examples=[2])


class StockLevelOut(BaseModel):
    """One ledger row; ``shortfall`` > 0 when a count fell below what is already promised."""

    fc_id: str
    sku: str
    on_hand: int
    safety_stock: int
    reserved: int
    allocated: int
    available: int
    shortfall: int
    reorder_point: int | None


class Availability(RootModel[dict[str, dict[str, int]]]):
    """``{sku: {fc_id: units}}`` at enabled nodes."""

    model_config = {"json_schema_extra": {"examples": [{"SKU-00002": {"FC-RNO": 3, "FC-ONT": 0}}]}}


class RestockAlertOut(BaseModel):
    fc_id: str
    sku: str
    on_hand: int
    allocated: int
    net_stock: int = Field(description="on_hand - allocated")
    reorder_point: int


class RestockAlerts(BaseModel):
    """Nodes and SKUs whose on_hand - allocated is at or below their reorder point."""

    count: int
    alerts: list[RestockAlertOut]
