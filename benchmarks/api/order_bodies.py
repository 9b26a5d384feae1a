"""Orders of an ``orders.csv`` (contracts §2) as the JSON bodies the OMS sends to ``/v1/route``.

One pass with the ``csv`` module: rows are grouped by ``order_id`` in order of first appearance,
lines keep their file order, and the destination is ``{"lat", "lon"}`` when the row gives them,
else ``{"zip"}`` as written, so ZIP look-up stays part of what the benchmarks measure.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

_TRUE = {"true", "t", "yes", "y", "1"}


def order_bodies(orders_csv: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """The first ``limit`` orders (all when None) of ``orders_csv`` as contracts §2 JSON objects."""
    orders: dict[str, dict[str, Any]] = {}
    with open(orders_csv, newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            order = orders.get(row["order_id"])
            if order is None:
                if limit is not None and len(orders) == limit:
                    continue  # a later row may still belong to an order already taken
                order = orders[row["order_id"]] = _header(row)
            order["lines"].append({"sku": row["sku"], "qty": int(row["qty"])})
    return list(orders.values())


def _header(row: dict[str, str]) -> dict[str, Any]:
    """The per-order fields of an order's first row."""
    lat, lon = row.get("dest_lat") or "", row.get("dest_lon") or ""
    order: dict[str, Any] = {
        "order_id": row["order_id"],
        "lines": [],
        "destination": {"lat": float(lat), "lon": float(lon)} if lat else {"zip": row["dest_zip"]},
        "promised_days": int(row["promised_days"]),
        "ship_complete": (row.get("ship_complete") or "").strip().lower() in _TRUE,
    }
    if row.get("channel"):
        order["channel"] = row["channel"]
    return order
