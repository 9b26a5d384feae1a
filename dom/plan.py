"""Plans as people and outside checks read them: shipments, lines and a summary (contracts §4).

Built from a solver's ``assign[line]`` with the same tables the solver priced with, so every number
written here can be recomputed from the files and the bundle alone.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dom.costs import ShipTables, billable_lb
from dom.files import folder_writer
from dom.model import Network, Orders
from solvers import Instance, Result, relative_gap

PLAN_FORMATS = ("csv", "parquet")


@dataclass(frozen=True)
class PlanSummary:
    """``summary.json`` of contracts §4 (plus ``status`` and ``late_shipments``), typed.

    ``lower_bound`` and ``gap`` are None when the method proves no bound (the greedy baseline).
    """

    orders: int
    lines: int
    units_filled: int
    units_unfilled: int
    shipments: int
    total_cost: float
    shipping_cost: float
    handling_cost: float
    late_penalty: float
    split_penalty: float
    backorder_penalty: float
    lower_bound: float | None
    gap: float | None
    solve_seconds: float
    method: str
    status: str
    late_shipments: int

    def to_json(self) -> dict[str, Any]:
        """The fields in the order ``summary.json`` lists them."""
        return dataclasses.asdict(self)


@dataclass(frozen=True, eq=False)
class Plan:
    """One allocation plan: ``shipments`` and ``lines`` frames (contracts §4), its ``summary``,
    and ``assign[line]``, the node index of each line (-1 unfilled) it was built from."""

    shipments: pd.DataFrame
    lines: pd.DataFrame
    summary: PlanSummary
    assign: np.ndarray

    def write(self, out_dir: str | Path, format: str = "csv") -> Path:
        """Write ``shipments``, ``lines`` (CSV or Parquet) and ``summary.json`` into ``out_dir``,
        all at once: a failure never leaves half a plan."""
        if format not in PLAN_FORMATS:
            raise ValueError(f"plan format must be one of {PLAN_FORMATS}, got {format!r}")
        with folder_writer(out_dir) as scratch:
            for name, frame in (("shipments", self.shipments), ("lines", self.lines)):
                if format == "csv":
                    frame.to_csv(scratch / f"{name}.csv", index=False)
                else:
                    frame.to_parquet(scratch / f"{name}.parquet", index=False)
            text = json.dumps(self.summary.to_json(), indent=2) + "\n"
            (scratch / "summary.json").write_text(text)
        return Path(out_dir)


def build_plan(
    network: Network, orders: Orders, inst: Instance, tables: ShipTables, result: Result
) -> Plan:
    """Turn ``result.assign`` into the plan files' rows, pricing each shipment from ``tables``."""
    assign = result.assign
    num_lines = orders.num_lines
    order_of_line = np.repeat(np.arange(orders.num_orders), np.diff(orders.line_ptr))
    line_no = np.arange(num_lines) - orders.line_ptr[order_of_line]
    shipped = assign >= 0
    # one shipment per (order, node), numbered per order in order of its first line
    key = order_of_line * network.num_nodes + np.where(shipped, assign, 0)
    ship_keys, first_line, ship_of_line = np.unique(
        key[shipped], return_index=True, return_inverse=True
    )
    first_line = np.flatnonzero(shipped)[first_line]
    by_first = np.argsort(first_line, kind="stable")
    rank = np.empty(len(ship_keys), np.int64)
    rank[by_first] = np.arange(len(ship_keys))
    ship_keys, first_line = ship_keys[by_first], first_line[by_first]
    ship_of_line = rank[ship_of_line]
    s_order, s_node = np.divmod(ship_keys, network.num_nodes)
    seq = np.arange(len(ship_keys)) - np.searchsorted(s_order, s_order)  # 0.. within the order
    order_ids = orders.order_ids.astype(str)
    shipment_ids = np.char.add(np.char.add(order_ids[s_order], "-S"), (seq + 1).astype(str))

    weight = np.bincount(ship_of_line, weights=inst.line_weight[shipped], minlength=len(ship_keys))
    billable = billable_lb(weight)
    table = inst.order_table[s_order, s_node]
    price = tables.price[table, billable]
    handling = network.handling_cost[s_node]
    late_days = tables.late_days[table, billable]
    late_pen = network.policy.late_penalty_per_day * late_days
    ship_cost = tables.cost[table, billable]
    shipments = pd.DataFrame(
        {
            "shipment_id": shipment_ids,
            "order_id": order_ids[s_order],
            "fc_id": network.node_ids.astype(str)[s_node],
            "service": network.service_names.astype(str)[tables.service[table, billable]],
            "zone": network.zone_ids[_zone_of_table(tables, table)],
            "weight_lb": weight,
            "billable_lb": billable,
            "price": price,
            "handling_cost": handling,
            "late_days": late_days,
            "late_penalty": late_pen,
            "ship_cost": ship_cost,
            "eta_days": tables.eta_days[table, billable],
        }
    )
    line_ship = np.full(num_lines, "", dtype=object)
    line_ship[shipped] = shipment_ids[ship_of_line]
    line_fc = np.full(num_lines, "", dtype=object)
    line_fc[shipped] = network.node_ids.astype(str)[assign[shipped]]
    items = orders.line_item
    item_ids = np.concatenate([network.sku_ids.astype(str), network.kit_ids.astype(str)])
    lines = pd.DataFrame(
        {
            "order_id": order_ids[order_of_line],
            "line_no": line_no,
            "sku": item_ids[items],
            "qty": orders.line_qty,
            "fc_id": line_fc,
            "shipment_id": line_ship,
        }
    )
    shipments_per_order = np.bincount(s_order, minlength=orders.num_orders)
    split_pen = network.policy.split_penalty * np.maximum(shipments_per_order - 1, 0).sum()
    unfilled_units = int(orders.line_qty[~shipped].sum())
    backorder = network.policy.backorder_penalty_per_unit * unfilled_units
    total = float(ship_cost.sum() + split_pen + backorder)
    bound = None if result.bound is None else min(result.bound, total)
    summary = PlanSummary(
        orders=int(orders.num_orders),
        lines=int(num_lines),
        units_filled=int(orders.line_qty[shipped].sum()),
        units_unfilled=unfilled_units,
        shipments=len(ship_keys),
        total_cost=total,
        shipping_cost=float(price.sum()),
        handling_cost=float(handling.sum()),
        late_penalty=float(late_pen.sum()),
        split_penalty=float(split_pen),
        backorder_penalty=float(backorder),
        lower_bound=bound,
        gap=relative_gap(total, bound),
        solve_seconds=round(result.runtime, 3),
        method=result.method,
        status=result.status.value,
        late_shipments=int((late_days > 0).sum()),
    )
    return Plan(shipments=shipments, lines=lines, summary=summary, assign=assign)


def _zone_of_table(tables: ShipTables, table: np.ndarray) -> np.ndarray:
    return (table // len(tables.promised_values)) % tables.num_zones
