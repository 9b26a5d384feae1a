"""Route one order against live availability: the OMS's call (``dom route``, ``POST /v1/route``).

Only the order's own SKUs enter the instance (a [node, SKU-of-this-order] stock array), and the
:class:`Router` builds that one-order instance from lists it prepared once per network, pricing
through ``dom.costs`` (shipment tables, zones) like every other path; the exact kernel
(``solvers.order``) makes the decision (speed: ``docs/service.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from dom.costs import CostModel, ShipTables, billable_lb, destination_zones
from dom.model import Network, Order
from solvers import Instance, solve_order

# Stock per SKU the order needs: units per node as an array in the network's node order, or the
# ledger's ``{fc_id: units}``; nodes or SKUs missing count as 0.
Stock = Mapping[str, np.ndarray | Mapping[str, int]]

# Destination rows a Router keeps: every US ZIP centroid fits (~300 bytes a row on 50 nodes).
_MAX_CACHED_DESTINATIONS = 65536


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
    """Routes single orders on one network.

    Everything that depends on the network alone is worked out once here: the items' SKUs, units
    and weights as Python lists (an order has a few lines, and a few list look-ups per line cost
    less than the numpy calls a general instance builder makes), capacity with disabled nodes at
    zero, and the cost model's shipment tables per promised-days value.
    """

    def __init__(self, network: Network) -> None:
        self.network = network
        self.costs = CostModel(network)
        self._item_ptr = self.costs.item_ptr.tolist()
        self._item_sku = self.costs.item_sku.tolist()
        self._item_units = self.costs.item_units.tolist()
        self._item_weight = self.costs.item_weight.tolist()
        self._sku_ids = network.sku_ids.astype(str).tolist()
        self._node_ids = network.node_ids.astype(str).tolist()
        self._service_names = network.service_names.astype(str).tolist()
        self._nodes = np.arange(network.num_nodes)
        self._disabled = ~network.enabled
        self._capacity = np.where(network.enabled, network.capacity, 0.0).astype(np.float64)
        self._bundle_stock = network.available()
        self._tables: dict[int, ShipTables] = {}
        self._order_tables: dict[tuple[float, float, int], np.ndarray] = {}

    def skus_needed(self, order: Order) -> list[str]:
        """SKU ids whose stock the order's decision depends on (kit components included)."""
        return [self._sku_ids[s] for s in self._skus(self.network.item_codes(order))]

    def _skus(self, items: list[int]) -> list[int]:
        """Sorted SKU indices the items draw."""
        ptr, sku = self._item_ptr, self._item_sku
        return sorted({s for i in items for s in sku[ptr[i] : ptr[i + 1]]})

    def _ship_tables(self, promised_days: int) -> ShipTables:
        """The cost model's tables for one promised-days value (the key a one-order batch has)."""
        tables = self._tables.get(promised_days)
        if tables is None:
            tables = self.costs.tables(np.array([promised_days], np.int64))
            self._tables[promised_days] = tables
        return tables

    def _order_table(self, order: Order) -> np.ndarray:
        """``int32[1, node]``: the shipment table of each node for the one order's destination,
        -1 where no zone applies or the node is disabled. Cached by destination: the zone
        calculation was the largest part of building an instance, and destinations repeat (a
        ZIP's centroid each time)."""
        key = (order.dest_lat, order.dest_lon, order.promised_days)
        row = self._order_tables.get(key)
        if row is None:
            tables = self._ship_tables(order.promised_days)
            zones = destination_zones(
                self.network, np.array([order.dest_lat]), np.array([order.dest_lon])
            )[0]
            table = tables.table(self._nodes, zones, np.zeros_like(zones))
            table[self._disabled] = -1
            row = table.astype(np.int32)[None, :]
            row.flags.writeable = False
            if len(self._order_tables) >= _MAX_CACHED_DESTINATIONS:
                del self._order_tables[next(iter(self._order_tables))]  # the oldest
            self._order_tables[key] = row
        return row

    def _stock(self, skus: list[int], stock: Stock | None) -> np.ndarray:
        """``int64[node, j]``: units free of the order's SKU ``skus[j]`` at each node, from
        ``stock`` (or the bundle's availability), 0 at disabled nodes."""
        out = np.zeros((self.network.num_nodes, len(skus)), np.int64)
        if stock is None:
            out[:] = self._bundle_stock[:, skus]
        else:
            node_index = self.network.node_index
            for j, s in enumerate(skus):
                free = stock.get(self._sku_ids[s])
                if free is None:
                    continue
                if isinstance(free, Mapping):
                    for fc_id, units in free.items():
                        f = node_index.get(fc_id)
                        if f is not None:
                            out[f, j] = units
                else:
                    out[:, j] = np.asarray(free, np.int64)
            np.maximum(out, 0, out=out)
        out[self._disabled] = 0
        return out

    def instance(
        self,
        order: Order,
        stock: Stock | None = None,
        capacity_left: np.ndarray | None = None,
    ) -> tuple[Instance, ShipTables, list[int]]:
        """The solver instance of ``order``, its tables and its SKU axis.

        The same instance ``CostModel.instance(orders, stock, capacity_left, skus=skus)`` builds,
        made from the precomputed lists; only the order's own SKUs form the stock axis.
        """
        items = self.network.item_codes(order)
        qty = [line.qty for line in order.lines]
        skus = self._skus(items)
        column = {s: j for j, s in enumerate(skus)}
        ptr, item_sku, item_units = self._item_ptr, self._item_sku, self._item_units
        policy = self.network.policy
        comp_ptr, comp_sku, comp_units, line_units = [0], [], [], []
        line_weight, line_backorder = [], []
        for i, q in zip(items, qty, strict=True):
            units = [u * q for u in item_units[ptr[i] : ptr[i + 1]]]
            comp_sku += [column[s] for s in item_sku[ptr[i] : ptr[i + 1]]]
            comp_units += units
            comp_ptr.append(len(comp_units))
            line_units.append(sum(units))
            line_weight.append(self._item_weight[i] * q)
            line_backorder.append(policy.backorder_penalty_per_unit * float(q))
        units_free = self._stock(skus, stock)
        if capacity_left is None:
            cap = self._capacity
        else:
            cap = np.where(self.network.enabled, np.asarray(capacity_left, np.float64), 0.0)
        tables = self._ship_tables(order.promised_days)
        max_ship = policy.max_shipments_per_order
        inst = Instance(
            line_ptr=np.array([0, len(items)], np.int64),
            ship_complete=np.array([order.ship_complete]),
            order_table=self._order_table(order),
            line_weight=np.array(line_weight, np.float64),
            line_backorder=np.array(line_backorder, np.float64),
            line_units=np.array(line_units, np.int64),
            comp_ptr=np.array(comp_ptr, np.int64),
            comp_sku=np.array(comp_sku, np.int64),
            comp_units=np.array(comp_units, np.int64),
            available=units_free,
            capacity=cap,
            ship_cost=tables.cost,
            split_penalty=float(policy.split_penalty),
            max_shipments=int(max_ship) if max_ship else 0,
        )
        return inst, tables, skus

    def route(
        self,
        order: Order,
        stock: Stock | None = None,
        capacity_left: np.ndarray | None = None,
    ) -> OrderPlan:
        """The cheapest plan of ``order`` (exact whenever at most ``MAX_EXACT_LINES`` of its
        lines can ship at all, see ``solvers.order.solve_order``).

        ``stock`` maps the SKUs of :meth:`skus_needed` to units free per node (an array in node
        order, or the ledger's ``{fc_id: units}``); without it the bundle's availability.
        ``capacity_left[node]`` defaults to the bundle's capacity.
        """
        inst, tables, skus = self.instance(order, stock, capacity_left)
        cost, assign = solve_order(inst, 0)
        chosen = assign.tolist()
        comp_ptr, comp_sku, comp_units = (
            inst.comp_ptr.tolist(),
            inst.comp_sku.tolist(),
            inst.comp_units.tolist(),
        )
        t_of = inst.order_table[0]
        shipments = []
        allocations: list[tuple[str, str, int]] = []
        for f in dict.fromkeys(a for a in chosen if a >= 0):
            lines = [i for i, a in enumerate(chosen) if a == f]
            b = int(billable_lb(inst.line_weight[lines].sum()))
            t = t_of[f]
            fc_id = self._node_ids[f]
            shipments.append(
                ShipmentDecision(
                    fc_id=fc_id,
                    service=self._service_names[tables.service[t, b]],
                    lines=lines,
                    ship_cost=float(tables.cost[t, b]),
                    eta_days=int(tables.eta_days[t, b]),
                )
            )
            units: dict[int, int] = {}
            for i in lines:
                for k in range(comp_ptr[i], comp_ptr[i + 1]):
                    units[comp_sku[k]] = units.get(comp_sku[k], 0) + comp_units[k]
            allocations += [
                (fc_id, self._sku_ids[skus[j]], units[j]) for j in sorted(units) if units[j]
            ]
        return OrderPlan(
            order_id=order.order_id,
            shipments=shipments,
            unfilled=[i for i, a in enumerate(chosen) if a < 0],
            total_cost=cost,
            allocations=allocations,
        )
