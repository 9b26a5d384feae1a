"""Events and webhooks at the edge (contracts §8)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class EventOut(BaseModel):
    id: int = Field(examples=[1234])
    type: str = Field(examples=["order.created"])
    at: str
    order_id: str | None
    data: dict[str, Any]


class EventPage(BaseModel):
    events: list[EventOut]
    next_after: int = Field(description="pass as after= for the next page")


class WebhookIn(BaseModel):
    """A subscription: where, which events, and optionally its whsec_ secret."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"url": "http://127.0.0.1:9000/hooks", "events": ["order.*", "fulfillment.shipped"]}
            ]
        },
    )
    url: str = Field(min_length=1, max_length=2048)
    events: list[str] = Field(default_factory=lambda: ["*"], min_length=1, max_length=50)
    secret: str | None = Field(default=None, min_length=7, max_length=200)


class WebhookOut(BaseModel):
    webhook_id: str
    url: str
    events: list[str]
    active: bool
    disabled_reason: str | None
    created_at: str
    secret: str | None = Field(default=None, description="shown once, when created")


class DeliveriesOut(BaseModel):
    webhook_id: str
    deliveries: list[dict[str, Any]]
