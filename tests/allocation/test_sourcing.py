"""Single-order routing (``Router.route``): the exact optimum, and a plan whose parts add up."""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dom.costs import build_instance
from dom.errors import UnknownSku
from dom.model import Order
from dom.sourcing import Router
from solvers.order import solve_order
from tests.factories import random_network, random_orders
from tests.solvers.brute import best_order

TOL = 1e-6


@settings(max_examples=50, deadline=None, database=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    num_nodes=st.integers(1, 6),
    max_shipments=st.sampled_from([None, 1, 2, 3]),
    capacity_high=st.sampled_from([None, 3, 12]),
    stock_high=st.integers(0, 5),
    backorder=st.sampled_from([15.0, 60.0, 200.0]),
    residual=st.booleans(),
)
def test_route_is_the_exact_optimum_and_adds_up(
    seed: int,
    num_nodes: int,
    max_shipments: int | None,
    capacity_high: int | None,
    stock_high: int,
    backorder: float,
    residual: bool,
) -> None:
    """Router.route, which builds its own one-order instance on the order's SKUs, costs what the
    kernel on the batch instance and brute force find; its shipments, split and backorder add up
    to its total, its lines are each shipped once or unfilled, it keeps the shipment limit and
    ship-complete, and its reservations fit stock and capacity."""
    rng = np.random.default_rng(seed)
    network = random_network(
        rng,
        num_nodes=num_nodes,
        num_kits=2,
        stock_high=stock_high,
        capacity_high=capacity_high,
        max_shipments=max_shipments,
    )
    policy = dataclasses.replace(network.policy, backorder_penalty_per_unit=backorder)
    network = dataclasses.replace(network, policy=policy)
    orders = random_orders(rng, network, num_orders=8, max_lines=5)
    inst = build_instance(network, orders)
    avail, capacity = inst.available, inst.capacity
    capacity_left = None
    if residual:  # live availability and capacity, lower than the bundle's
        avail = rng.integers(0, avail + 1)
        capacity = np.where(np.isfinite(capacity), rng.integers(0, 13, num_nodes), np.inf)
        capacity = np.where(network.enabled, capacity, 0.0)
        capacity_left = capacity
    stock = {str(sku): avail[:, s] for s, sku in enumerate(network.sku_ids)}
    router = Router(network)
    for o in range(orders.num_orders):
        plan = router.route(orders.order(o, network), stock, capacity_left)
        kernel, _ = solve_order(inst, o, avail, capacity)
        assert plan.total_cost == pytest.approx(kernel, rel=TOL, abs=TOL)
        expected = best_order(inst, o, avail, capacity, network.enabled)
        assert plan.total_cost == pytest.approx(expected, rel=TOL, abs=TOL)
        qty = orders.line_qty[orders.line_ptr[o] : orders.line_ptr[o + 1]]
        shipped = [i for s in plan.shipments for i in s.lines]
        assert sorted(shipped + plan.unfilled) == list(range(len(qty)))
        parts = (
            sum(s.ship_cost for s in plan.shipments)
            + policy.split_penalty * max(len(plan.shipments) - 1, 0)
            + backorder * int(qty[plan.unfilled].sum())
        )
        assert plan.total_cost == pytest.approx(parts, rel=TOL, abs=TOL)
        if max_shipments is not None:
            assert len(plan.shipments) <= max_shipments
        if orders.ship_complete[o]:
            assert plan.unfilled == [] or len(plan.unfilled) == len(qty)
            assert len(plan.shipments) <= 1
        held: dict[tuple[str, str], int] = defaultdict(int)
        per_node: dict[str, int] = defaultdict(int)
        for fc, sku, units in plan.allocations:
            held[fc, sku] += units
            per_node[fc] += units
        for (fc, sku), units in held.items():
            assert units <= avail[network.node_index[fc], network.sku_index[sku]]
        for fc, units in per_node.items():
            assert units <= capacity[network.node_index[fc]]


def test_route_takes_the_bundles_stock_an_array_or_the_ledgers_mapping() -> None:
    """Without stock the bundle's availability is used; the ledger's ``{fc_id: units}`` gives
    the same plan as arrays in node order; missing nodes and SKUs count as no stock."""
    rng = np.random.default_rng(3)
    network = random_network(rng, num_nodes=4, num_kits=1, stock_high=3)
    orders = random_orders(rng, network, num_orders=20, max_lines=3)
    router = Router(network)
    avail = network.available()
    for o in range(orders.num_orders):
        order = orders.order(o, network)
        skus = router.skus_needed(order)
        arrays = {s: avail[:, network.sku_index[s]] for s in skus}
        ledger = {
            s: {str(f): int(n) for f, n in zip(network.node_ids, arrays[s], strict=True) if n}
            for s in skus
        }
        plan = router.route(order)
        assert router.route(order, arrays) == plan
        assert router.route(order, ledger) == plan
        nothing = router.route(order, {})
        assert nothing.shipments == [] and len(nothing.unfilled) == len(order.lines)


def test_route_names_an_unknown_sku() -> None:
    """An order built in Python with a SKU the network lacks fails naming the line."""
    network = random_network(np.random.default_rng(0), num_nodes=2)
    order = Order("X1", [("S0", 1), ("S00", 2)], promised_days=2, zip="10001")
    with pytest.raises(UnknownSku, match=r"lines\[1\]\.sku.*did you mean 'S0'"):
        Router(network).route(order)
