"""The exact single-order kernel equals brute-force enumeration (contracts §3)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dom.costs import build_instance
from solvers.cuts import NO_CUTS, stock_cuts
from solvers.order import MAX_EXACT_LINES, solve_order
from solvers.plans import order_cost, plan_usage
from tests.factories import random_network, random_orders
from tests.solvers.brute import best_order, evaluate

EXAMPLES = 200
ORDERS_PER_EXAMPLE = 10
TOL = 1e-6


def test_solve_order_equals_brute_force() -> None:
    """On 2,000 random orders the kernel's cost is the brute-force minimum, its plan is feasible
    and order_cost prices it at that cost: kits, ship-complete, shipment limits (or none), tight
    stock and capacity, heavy lines, disabled nodes, residual stock and Lagrangian prices."""
    checked: list[int] = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None)
    @given(
        seed=st.integers(0, 2**32 - 1),
        num_nodes=st.integers(1, 5),
        num_skus=st.integers(2, 6),
        num_kits=st.integers(0, 2),
        max_lines=st.integers(1, 5),
        max_shipments=st.sampled_from([None, 1, 2, 3]),
        capacity_high=st.sampled_from([None, 2, 4, 12]),
        stock_high=st.integers(0, 5),
        backorder=st.sampled_from([15.0, 60.0, 200.0]),
        ship_complete_share=st.sampled_from([0.0, 0.3, 1.0]),
        residual=st.booleans(),
        priced=st.booleans(),
    )
    def check(
        seed: int,
        num_nodes: int,
        num_skus: int,
        num_kits: int,
        max_lines: int,
        max_shipments: int | None,
        capacity_high: int | None,
        stock_high: int,
        backorder: float,
        ship_complete_share: float,
        residual: bool,
        priced: bool,
    ) -> None:
        rng = np.random.default_rng(seed)
        network = random_network(
            rng,
            num_nodes=num_nodes,
            num_skus=num_skus,
            num_kits=num_kits,
            stock_high=stock_high,
            capacity_high=capacity_high,
            max_shipments=max_shipments,
        )
        # dear backorders make splitting over scarce stock worth it
        policy = dataclasses.replace(network.policy, backorder_penalty_per_unit=backorder)
        network = dataclasses.replace(network, policy=policy)
        orders = random_orders(
            rng,
            network,
            num_orders=ORDERS_PER_EXAMPLE,
            max_lines=max_lines,
            ship_complete_share=ship_complete_share,
        )
        inst = build_instance(network, orders)
        available, capacity = inst.available, inst.capacity
        if residual:  # what the batch solver passes: stock and capacity left by other orders
            available = rng.integers(0, available + 1)
            capacity = np.where(np.isfinite(capacity), rng.integers(0, 13, num_nodes), np.inf)
        price = cap_price = None
        cuts = NO_CUTS
        if priced:  # non-negative Lagrange multipliers on stock, capacity and stock cuts
            price = rng.uniform(0, 12, available.shape) * (rng.random(available.shape) < 0.5)
            cap_price = rng.uniform(0, 6, num_nodes) * (rng.random(num_nodes) < 0.5)
            rows = stock_cuts(inst)
            cuts = (rows.ptr, rows.div, rng.uniform(0, 8, rows.num_cuts))
        for o in range(inst.num_orders):
            cost, assign = solve_order(inst, o, available, capacity, price, cap_price, cuts)
            expected = best_order(
                inst, o, available, capacity, network.enabled, price, cap_price,
                cuts if priced else None,
            )  # fmt: skip
            assert cost == pytest.approx(expected, rel=TOL, abs=TOL), (o, assign)
            got = evaluate(inst, o, assign, available, capacity, network.enabled)
            assert got.feasible[0], (o, assign)
            true_cost = float(got.cost[0])
            priced_cost = true_cost
            if price is not None and cap_price is not None:
                priced_cost += float(np.sum(got.stock[0] * price) + got.capacity[0] @ cap_price)
                cell_of_cut = np.repeat(np.arange(available.size), np.diff(cuts[0]))
                priced_cost += float((got.stock[0].reshape(-1)[cell_of_cut] // cuts[1]) @ cuts[2])
            assert priced_cost == pytest.approx(cost, rel=TOL, abs=TOL), (o, assign)
            assert order_cost(inst, o, assign) == pytest.approx(true_cost, rel=TOL, abs=TOL)
        checked.append(inst.num_orders)

    check()
    assert sum(checked) >= 1000


@pytest.mark.parametrize("seed", range(8))
def test_orders_beyond_the_exact_limit_get_a_feasible_plan(seed: int) -> None:
    """An order longer than MAX_EXACT_LINES gets a feasible plan (greedy cover), priced right."""
    rng = np.random.default_rng(seed)
    network = random_network(rng, num_nodes=5, num_skus=8, stock_high=6, capacity_high=30)
    orders = random_orders(rng, network, num_orders=1, max_lines=1)
    n = MAX_EXACT_LINES + 1 + seed
    long = type(orders)(
        order_ids=orders.order_ids,
        dest_lat=orders.dest_lat,
        dest_lon=orders.dest_lon,
        promised_days=orders.promised_days,
        ship_complete=orders.ship_complete,
        channel=orders.channel,
        line_ptr=np.array([0, n]),
        line_item=rng.integers(0, network.num_skus, n).astype(np.int64),
        line_qty=np.ones(n, np.int64),
    )
    inst = build_instance(network, long)
    cost, assign = solve_order(inst, 0)
    assert cost == pytest.approx(order_cost(inst, 0, assign))
    assert cost <= inst.line_backorder.sum() + 1e-9
    shipped = assign[assign >= 0]
    limit = inst.max_shipments or n
    assert len(np.unique(shipped)) <= (1 if long.ship_complete[0] else limit)
    used, used_cap = plan_usage(inst, assign)
    assert (used <= inst.available).all() and (used_cap <= inst.capacity + 1e-9).all()
