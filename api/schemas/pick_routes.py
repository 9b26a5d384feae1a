"""Pick routes: a layout (inline or a stored warehouse) and a pick list in, contracts §5 out."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Method = Literal["s-shape", "return", "midpoint", "largest-gap", "combined", "optimal", "best"]


class PickRouteIn(BaseModel):
    """Give exactly one of ``layout`` (contracts §5) and ``warehouse_id``."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"warehouse_id": "FC-RNO", "locations": ["A01-B1-S03", "A04-B2-S10"]},
                {
                    "layout": {
                        "name": "demo",
                        "aisles": 6,
                        "blocks": 1,
                        "slots_per_block": 10,
                        "slot_m": 1.0,
                        "aisle_pitch_m": 3.0,
                        "cross_aisle_m": 2.0,
                        "depot": "front-left",
                    },
                    "locations": ["A01-B1-S03", "A05-B1-S09"],
                    "method": "optimal",
                },
            ]
        }
    }

    layout: dict[str, Any] | None = None
    warehouse_id: str | None = Field(default=None, min_length=1)
    locations: list[str] = Field(min_length=1)
    method: Method = "best"


class PickRouteOut(BaseModel):
    method: str
    length_m: float
    stops: list[str]
    path: list[Any]
    proven_optimal: bool
    solve_ms: float
