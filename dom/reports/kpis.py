"""The one definition of a plan's KPIs (contracts §9 ``kpis.csv``), computed from its files.

Studies, ``dom report`` and the live pages all call :func:`plan_kpis`; pages only format what it
returns. Definitions, over the plan's rows (``shipments``, ``lines``) and ``summary.json``:

- ``units`` = Σ qty of the lines (a kit line counts kits), ``units_filled`` those with a node,
  ``fill_rate`` = units_filled / units;
- money: ``shipping_cost`` = Σ price, ``handling_cost`` = Σ handling_cost, ``late_penalty`` =
  Σ late_penalty over shipments; ``split_penalty`` and ``backorder_penalty`` from
  ``summary.json`` (they need the policy, which the rows do not carry); ``total_cost`` = Σ
  ship_cost + those two;
- ``shipments``; ``shipments_per_order`` = shipments / orders with at least one shipment;
  ``late_shipments`` = shipments with late_days > 0; ``on_time_rate`` = 1 - late / shipments;
  ``mean_zone`` = the mean zone of the shipments;
- ``lower_bound`` as ``summary.json`` gives it (empty when none is proven).

A ratio with nothing to divide (no units, no shipment) is empty, never 0.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dom.errors import InvalidInput

KPI_COLUMNS = (
    "orders", "lines", "units", "units_filled", "fill_rate", "total_cost", "shipping_cost",
    "handling_cost", "late_penalty", "split_penalty", "backorder_penalty", "shipments",
    "shipments_per_order", "late_shipments", "on_time_rate", "mean_zone", "lower_bound",
)  # fmt: skip
COST_PARTS = (
    "shipping_cost",
    "handling_cost",
    "late_penalty",
    "split_penalty",
    "backorder_penalty",
)
_SHIPMENT_COLUMNS = ("shipment_id", "order_id", "fc_id", "zone", "price", "handling_cost",
                     "late_days", "late_penalty", "ship_cost")  # fmt: skip
_LINE_COLUMNS = ("order_id", "line_no", "sku", "qty", "fc_id", "shipment_id")

KPIs = dict[str, float | int | None]


def _ratio(num: float, den: float) -> float | None:
    return float(num) / float(den) if den else None


def plan_kpis(
    shipments: pd.DataFrame, lines: pd.DataFrame, summaries: Sequence[Mapping[str, Any]]
) -> KPIs:
    """KPIs of a plan (or of several days' plans together: their rows concatenated and each
    day's ``summary.json`` in ``summaries``)."""
    qty = pd.to_numeric(lines["qty"]).to_numpy(np.int64)
    filled = lines["fc_id"].fillna("").astype(str).str.len().to_numpy() > 0
    price = pd.to_numeric(shipments["price"]).to_numpy(np.float64)
    late_days = pd.to_numeric(shipments["late_days"]).to_numpy(np.float64)
    split = float(sum(s["split_penalty"] for s in summaries))
    backorder = float(sum(s["backorder_penalty"] for s in summaries))
    bounds = [s.get("lower_bound") for s in summaries]
    bound = None if None in bounds else math.fsum(float(b) for b in bounds if b is not None)
    num_ships = len(shipments)
    late = int((late_days > 0).sum())
    units, units_filled = int(qty.sum()), int(qty[filled].sum())
    return {
        "orders": int(lines["order_id"].nunique()),
        "lines": len(lines),
        "units": units,
        "units_filled": units_filled,
        "fill_rate": _ratio(units_filled, units),
        "total_cost": float(pd.to_numeric(shipments["ship_cost"]).sum()) + split + backorder,
        "shipping_cost": float(price.sum()),
        "handling_cost": float(pd.to_numeric(shipments["handling_cost"]).sum()),
        "late_penalty": float(pd.to_numeric(shipments["late_penalty"]).sum()),
        "split_penalty": split,
        "backorder_penalty": backorder,
        "shipments": num_ships,
        "shipments_per_order": _ratio(num_ships, shipments["order_id"].nunique()),
        "late_shipments": late,
        "on_time_rate": _ratio(num_ships - late, num_ships),
        "mean_zone": _ratio(float(pd.to_numeric(shipments["zone"]).sum()), num_ships),
        "lower_bound": bound,
    }


def read_plan(folder: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """A plan folder's ``shipments``, ``lines`` (CSV or Parquet) and ``summary.json``; a
    missing file or column names the file and the fix."""
    folder = Path(folder)
    frames = []
    for stem, columns in (("shipments", _SHIPMENT_COLUMNS), ("lines", _LINE_COLUMNS)):
        csv, parquet = folder / f"{stem}.csv", folder / f"{stem}.parquet"
        if parquet.is_file():
            frame = pd.read_parquet(parquet)
        elif csv.is_file():
            frame = pd.read_csv(csv, dtype={"fc_id": str, "shipment_id": str, "order_id": str},
                                keep_default_na=False)  # fmt: skip
        else:
            raise InvalidInput(
                f"no {stem}.csv or {stem}.parquet", file=str(folder),
                fix="give a plan folder written by dom allocate or dom simulate (contracts §4)",
            )  # fmt: skip
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise InvalidInput(
                f"column '{missing[0]}' is missing", file=str(csv if csv.is_file() else parquet),
                column=missing[0], fix="write the columns of contracts §4",
            )  # fmt: skip
        frames.append(frame)
    path = folder / "summary.json"
    if not path.is_file():
        raise InvalidInput("no summary.json", file=str(folder), fix="give a plan folder (§4)")
    return frames[0], frames[1], json.loads(path.read_text())


def folder_kpis(folder: str | Path) -> KPIs:
    """:func:`plan_kpis` of one plan folder."""
    shipments, lines, summary = read_plan(folder)
    return plan_kpis(shipments, lines, [summary])
