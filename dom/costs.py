"""The one cost model of contracts §3: zones, billable weight, service choice, shipment cost.

Every solver, the plan writer and the service price shipments through this module. A shipment of
weight W from node f to a destination over service s costs

    price[s, zone, B(W)] + handling_cost[f] + late_penalty_per_day * max(0, eta - promised_days)

with eta = processing_days[f] + transit_days[s, zone], B(W) = max(1, ceil(W - 1e-9)), and the
service with the lowest cost chosen (ties: fewer eta days, then name). Because that cost depends on
the order only through (node, zone, promised days, billable weight), it is tabulated once per
(node, zone, promised days) as :class:`ShipTables`. The billable-weight rule itself is
``solvers.plans.billable_lb``, which the compiled kernels share.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dom.geo import haversine_miles
from dom.model import Network, Orders
from solvers.instance import Instance, csr_gather
from solvers.plans import billable_lb

__all__ = [
    "CostModel",
    "ShipTables",
    "billable_lb",
    "build_instance",
    "destination_zones",
    "item_components",
    "order_zones",
    "ship_tables",
    "zone_index",
]

_TIE_EPS = 1e-9


def zone_index(network: Network, miles: np.ndarray) -> np.ndarray:
    """Index into ``network.zone_ids`` of the zone with ``min <= miles < max``; -1 for none."""
    miles = np.asarray(miles, dtype=np.float64)
    hit = (network.zone_min <= miles[..., None]) & (miles[..., None] < network.zone_max)
    return np.where(hit.any(axis=-1), hit.argmax(axis=-1), -1)


@dataclass(frozen=True, eq=False)
class ShipTables:
    """Cheapest service per (node, zone, promised days, billable lb), flattened on the first axes.

    Table ``t = (node * num_zones + zone) * num_promised + promised_idx``; every array is
    ``[table, billable_lb + 1]``. ``service`` is -1 (and ``cost`` inf) where nothing can carry it.
    """

    promised_values: np.ndarray  # int64 [promised_idx], sorted
    num_zones: int
    cost: np.ndarray  # float64: price + handling + late penalty
    price: np.ndarray  # float64: carrier price alone
    service: np.ndarray  # int64: index into network.service_names
    eta_days: np.ndarray  # int64
    late_days: np.ndarray  # int64

    def table(self, node: np.ndarray, zone: np.ndarray, promised_idx: np.ndarray) -> np.ndarray:
        """The flat table index of (node, zone, promised index); -1 where zone is -1."""
        t = (np.asarray(node) * self.num_zones + zone) * len(self.promised_values) + promised_idx
        return np.where(np.asarray(zone) < 0, -1, t)


def ship_tables(network: Network, promised_values: np.ndarray) -> ShipTables:
    """Tabulate the cost of one shipment for every node, zone, promised days and billable lb."""
    promised = np.unique(np.asarray(promised_values, dtype=np.int64))
    num_nodes, num_zones, num_prom = network.num_nodes, len(network.zone_ids), len(promised)
    num_b = network.rate_price.shape[2]
    shape = (num_nodes, num_zones, num_prom, num_b)
    best_cost = np.full(shape, np.inf)
    best_price = np.full(shape, np.inf)
    best_eta = np.full(shape, np.iinfo(np.int64).max, dtype=np.int64)
    best_service = np.full(shape, -1, dtype=np.int64)
    late_pen = network.policy.late_penalty_per_day
    proc = network.processing_days[:, None, None, None]
    # service_names are sorted, so visiting them in order and replacing only on a strictly better
    # (cost, eta) keeps the first name among exact ties, as the contract asks.
    for s in range(len(network.service_names)):
        transit = network.transit_days[s]  # [zone]
        offered = (transit >= 0)[None, :, None, None]
        eta = proc + np.maximum(transit, 0)[None, :, None, None]  # [node, zone, 1, 1]
        late = np.maximum(0, eta - promised[None, None, :, None])  # [node, zone, prom, 1]
        price = network.rate_price[s][None, :, None, :]  # [1, zone, 1, b]
        cost = price + network.handling_cost[:, None, None, None] + late_pen * late
        cost = np.where(offered & np.isfinite(price), cost, np.inf)
        eta_b = np.broadcast_to(eta, shape)
        with np.errstate(invalid="ignore"):  # inf - inf where neither service can carry
            tie = (np.abs(cost - best_cost) <= _TIE_EPS) & np.isfinite(cost) & (eta_b < best_eta)
        better = (cost < best_cost - _TIE_EPS) | tie
        best_cost = np.where(better, cost, best_cost)
        best_price = np.where(better, np.broadcast_to(price, shape), best_price)
        best_eta = np.where(better, eta_b, best_eta)
        best_service = np.where(better, s, best_service)
    best_cost[..., 0] = np.inf  # billable weight is at least 1
    best_cost[~network.enabled] = np.inf
    late_days = np.where(
        best_service >= 0,
        np.maximum(0, best_eta - promised[None, None, :, None]),
        0,
    )
    flat = (num_nodes * num_zones * num_prom, num_b)
    return ShipTables(
        promised_values=promised,
        num_zones=num_zones,
        cost=best_cost.reshape(flat),
        price=best_price.reshape(flat),
        service=best_service.reshape(flat),
        eta_days=np.where(best_service >= 0, best_eta, 0).reshape(flat),
        late_days=late_days.reshape(flat),
    )


def destination_zones(network: Network, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Zone index of every (destination, node) pair, ``[destination, node]``, -1 for none."""
    miles = haversine_miles(lat[:, None], lon[:, None], network.lat[None, :], network.lon[None, :])
    return zone_index(network, miles)


def order_zones(network: Network, orders: Orders) -> np.ndarray:
    """Zone index of every (order, node) pair, ``[order, node]``, -1 where no zone applies."""
    return destination_zones(network, orders.dest_lat, orders.dest_lon)


def item_components(network: Network) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR of the SKUs each item draws: a SKU draws itself once, a kit its components."""
    num_skus = network.num_skus
    kit_len = np.diff(network.kit_ptr)
    ptr = np.concatenate([[0], np.cumsum(np.concatenate([np.ones(num_skus, np.int64), kit_len]))])
    sku = np.concatenate([np.arange(num_skus, dtype=np.int64), network.kit_comp_sku])
    units = np.concatenate([np.ones(num_skus, np.int64), network.kit_comp_qty])
    return ptr.astype(np.int64), sku.astype(np.int64), units.astype(np.int64)


class CostModel:
    """The cost model of one network, with what every instance needs computed once: the SKUs and
    weight of each item, and the shipment tables per set of promised days."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.item_ptr, self.item_sku, self.item_units = item_components(network)
        per_comp = network.weight_lb[self.item_sku] * self.item_units
        self.item_weight = np.add.reduceat(per_comp, self.item_ptr[:-1])
        self._tables: dict[tuple[int, ...], ShipTables] = {}

    def tables(self, promised_days: np.ndarray) -> ShipTables:
        """Shipment tables covering every value in ``promised_days`` (cached)."""
        key = tuple(np.unique(np.asarray(promised_days, dtype=np.int64)).tolist())
        if key not in self._tables:
            self._tables[key] = ship_tables(self.network, np.array(key, dtype=np.int64))
        return self._tables[key]

    def instance(
        self,
        orders: Orders,
        available: np.ndarray | None = None,
        capacity: np.ndarray | None = None,
        skus: np.ndarray | None = None,
    ) -> tuple[Instance, ShipTables]:
        """The solver instance of ``orders`` and the tables it was priced with.

        ``available[node, sku]`` and ``capacity[node]`` default to the bundle's. With ``skus``
        (sorted SKU indices) the instance's SKU axis is just those SKUs, and ``available`` has one
        column per entry: the single-order path uses it to avoid a [node, all SKUs] array.
        """
        network = self.network
        tables = self.tables(orders.promised_days)
        prom_idx = np.searchsorted(tables.promised_values, orders.promised_days)
        zones = order_zones(network, orders)
        nodes = np.arange(network.num_nodes)[None, :]
        order_table = tables.table(nodes, zones, prom_idx[:, None]).astype(np.int32)
        order_table[:, ~network.enabled] = -1

        items = orders.line_item
        qty = orders.line_qty.astype(np.int64)
        comp_idx, counts = csr_gather(self.item_ptr, items)
        comp_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        comp_units = self.item_units[comp_idx] * np.repeat(qty, counts)
        comp_sku = self.item_sku[comp_idx]
        if skus is not None:
            comp_sku = np.searchsorted(skus, comp_sku)
        line_units = np.add.reduceat(comp_units, comp_ptr[:-1]) if len(comp_units) else qty * 0

        avail = network.available() if available is None else np.asarray(available, np.int64)
        cap = network.capacity if capacity is None else np.asarray(capacity, np.float64)
        cap = np.where(network.enabled, cap, 0.0)
        max_ship = network.policy.max_shipments_per_order
        inst = Instance(
            line_ptr=orders.line_ptr.astype(np.int64),
            ship_complete=orders.ship_complete.astype(bool),
            order_table=order_table,
            line_weight=self.item_weight[items] * qty,
            line_backorder=network.policy.backorder_penalty_per_unit * qty.astype(np.float64),
            line_units=line_units.astype(np.int64),
            comp_ptr=comp_ptr,
            comp_sku=comp_sku.astype(np.int64),
            comp_units=comp_units.astype(np.int64),
            available=avail,
            capacity=cap.astype(np.float64),
            ship_cost=tables.cost,
            split_penalty=float(network.policy.split_penalty),
            max_shipments=int(max_ship) if max_ship else 0,
        )
        return inst, tables


def build_instance(
    network: Network,
    orders: Orders,
    available: np.ndarray | None = None,
    capacity: np.ndarray | None = None,
) -> Instance:
    """The solver instance of ``orders`` on ``network`` (stock and capacity: the bundle's)."""
    return CostModel(network).instance(orders, available, capacity)[0]
