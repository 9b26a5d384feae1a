"""Route one order against live availability: the OMS's call (``dom route``, ``POST /v1/route``).

Only the order's own SKUs enter the instance (a [node, SKU-of-this-order] stock array), so a
decision costs well under a millisecond on 50 nodes; the exact kernel (``solvers.order``) makes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from dom.costs import CostModel
from dom.model import Network, Orders
from solvers.order import MAX_EXACT_LINES, solve_order


@dataclass(frozen=True)
class ShipmentDecision:
    """One shipment of a routed order."""

    fc_id: str
    service: str
    lines: list[int]  # line_no of the order's lines in it
    ship_cost: float
    eta_days: int


@dataclass(frozen=True)
class OrderPlan:
    """The cheapest plan of one order (contracts §4, single-order form)."""

    order_id: str
    shipments: list[ShipmentDecision]
    unfilled: list[int]
    total_cost: float
    allocations: list[tuple[str, str, int]]  # (fc_id, sku, units) to reserve, kits expanded

    def to_json(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "shipments": [
                {
                    "fc_id": s.fc_id,
                    "service": s.service,
                    "lines": s.lines,
                    "ship_cost": round(s.ship_cost, 6),
                    "eta_days": s.eta_days,
                }
                for s in self.shipments
            ],
            "unfilled": self.unfilled,
            "total_cost": round(self.total_cost, 6),
        }


class Router:
    """Routes single orders on one network; keeps the cost model's tables between calls."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.costs = CostModel(network)

    def skus_needed(self, orders: Orders) -> list[str]:
        """SKU ids whose stock the order's decision depends on (kit components included)."""
        return [str(self.network.sku_ids[s]) for s in self._skus(orders)]

    def _skus(self, orders: Orders) -> np.ndarray:
        c = self.costs
        comps = np.concatenate(
            [c.item_sku[c.item_ptr[i] : c.item_ptr[i + 1]] for i in orders.line_item]
        )
        return np.unique(comps)

    def route(
        self,
        orders: Orders,
        available: Mapping[str, np.ndarray],
        capacity_left: np.ndarray | None = None,
    ) -> OrderPlan:
        """The exact cheapest plan of the one order in ``orders``.

        ``available`` maps every SKU of :meth:`skus_needed` to units free per node
        (``[num_nodes]``); ``capacity_left[node]`` defaults to the bundle's capacity.
        """
        if orders.num_orders != 1:
            raise ValueError(f"route expects exactly one order, got {orders.num_orders}")
        if orders.num_lines > MAX_EXACT_LINES:
            raise ValueError(
                f"order {orders.order_ids[0]} has {orders.num_lines} lines; "
                f"single-order routing handles up to {MAX_EXACT_LINES}"
            )
        net = self.network
        skus = self._skus(orders)
        stock = np.zeros((net.num_nodes, len(skus)), np.int64)
        for j, s in enumerate(skus):
            column = available.get(str(net.sku_ids[s]))
            if column is not None:
                stock[:, j] = np.maximum(np.asarray(column, np.int64), 0)
        stock[~net.enabled] = 0
        inst, tables = self.costs.instance(orders, stock, capacity_left, skus=skus)
        cost, assign = solve_order(inst, 0)
        shipments = []
        allocations: list[tuple[str, str, int]] = []
        for f in dict.fromkeys(int(a) for a in assign if a >= 0):
            lines = np.flatnonzero(assign == f)
            weight = float(inst.line_weight[lines].sum())
            b = max(1, int(np.ceil(weight - 1e-9)))
            t = inst.order_table[0, f]
            shipments.append(
                ShipmentDecision(
                    fc_id=str(net.node_ids[f]),
                    service=str(net.service_names[tables.service[t, b]]),
                    lines=lines.tolist(),
                    ship_cost=float(tables.cost[t, b]),
                    eta_days=int(tables.eta_days[t, b]),
                )
            )
            units = np.zeros(len(skus), np.int64)
            for i in lines:
                sl = slice(inst.comp_ptr[i], inst.comp_ptr[i + 1])
                np.add.at(units, inst.comp_sku[sl], inst.comp_units[sl])
            allocations += [
                (str(net.node_ids[f]), str(net.sku_ids[skus[j]]), int(units[j]))
                for j in np.flatnonzero(units)
            ]
        return OrderPlan(
            order_id=str(orders.order_ids[0]),
            shipments=shipments,
            unfilled=np.flatnonzero(assign < 0).tolist(),
            total_cost=cost,
            allocations=allocations,
        )


def route_order(
    network: Network,
    orders: Orders,
    available: Mapping[str, np.ndarray],
    capacity_left: np.ndarray | None = None,
) -> OrderPlan:
    """One-off :meth:`Router.route` (a service keeps one :class:`Router` instead)."""
    return Router(network).route(orders, available, capacity_left)


def skus_needed(network: Network, orders: Orders) -> list[str]:
    """One-off :meth:`Router.skus_needed`."""
    return Router(network).skus_needed(orders)
