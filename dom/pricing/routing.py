"""Routing with bid prices: an order's plan minimises its §3 cost plus the price of each unit of
stock and capacity it takes, by the exact kernel (``solvers.order``), one order at a time or a
whole plan re-routed order by order (exact coordinate descent at those prices)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dom.model import Order
from dom.pricing.prices import BidPrices
from dom.sourcing import Router, Stock
from solvers import Instance, order_cost, plan_usage, solve_order
from solvers.batch.pricing import route_in_sequence
from solvers.cuts import NO_CUTS
from solvers.instance import csr_gather


@dataclass(frozen=True, eq=False)
class PricedRoute:
    """One order's plan: ``assign`` (node index per line, -1 unfilled), its §3 ``total_cost``,
    the priced part beside it (``opportunity_cost``), and what it takes: ``units`` of SKU
    ``skus`` at node ``nodes`` (kits expanded), ``line_units`` of capacity at ``line_nodes``."""

    assign: np.ndarray
    total_cost: float
    opportunity_cost: float
    nodes: np.ndarray
    skus: np.ndarray
    units: np.ndarray
    line_nodes: np.ndarray
    line_units: np.ndarray


def route_priced(
    router: Router,
    order: Order,
    prices: BidPrices | None = None,
    stock: Stock | None = None,
    capacity_left: np.ndarray | None = None,
) -> PricedRoute:
    """The plan of ``order`` at ``prices`` (None: plain §3) against ``stock`` and
    ``capacity_left`` (as :meth:`dom.sourcing.Router.route` takes them)."""
    inst, _, skus = router.instance(order, stock, capacity_left)
    if prices is None:
        cost, assign = solve_order(inst, 0)
        true_cost = cost
    else:
        price = np.ascontiguousarray(prices.stock[:, skus])
        cost, assign = solve_order(inst, 0, price=price, cap_price=prices.capacity)
        true_cost = order_cost(inst, 0, assign)
    shipped = np.flatnonzero(assign >= 0)
    comps, counts = csr_gather(inst.comp_ptr, shipped)
    return PricedRoute(
        assign=assign,
        total_cost=float(true_cost),
        opportunity_cost=float(cost - true_cost),
        nodes=np.repeat(assign[shipped], counts),
        skus=np.asarray(skus, np.int64)[inst.comp_sku[comps]],
        units=inst.comp_units[comps],
        line_nodes=assign[shipped],
        line_units=inst.line_units[shipped],
    )


def reroute_priced(
    inst: Instance, assign: np.ndarray, prices: BidPrices, sequence: np.ndarray, passes: int = 2
) -> np.ndarray:
    """A plan of ``inst`` re-routed order by order in ``sequence`` at ``prices``, each order
    against the stock the others leave: exact coordinate descent on the priced cost, which never
    rises (``passes`` sweeps). ``inst``'s SKU axis must be the network's (prices are
    ``[node, sku]``)."""
    assign = np.asarray(assign, np.int64).copy()
    used, used_cap = plan_usage(inst, assign)
    avail = inst.available - used
    cap = inst.capacity - used_cap
    price = np.ascontiguousarray(prices.stock, np.float64)
    cap_price = np.ascontiguousarray(prices.capacity, np.float64)
    order = np.asarray(sequence, np.int64)
    for _ in range(passes):
        route_in_sequence(
            order, inst.line_ptr, inst.ship_complete, inst.order_table, inst.line_weight,
            inst.line_backorder, inst.line_units, inst.comp_ptr, inst.comp_sku, inst.comp_units,
            avail, cap, inst.ship_cost, inst.split_penalty, inst.max_shipments, price, cap_price,
            NO_CUTS, True, True, assign,
        )  # fmt: skip
    return assign
