"""Stock cuts: exactly the rounded rows that can bind, and every feasible plan satisfies them (so
pricing them keeps the Lagrangian bound valid)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dom.costs import build_instance
from solvers.columns import ColumnPool
from solvers.cuts import stock_cuts
from solvers.instance import Instance
from solvers.order import solve_order
from solvers.plans import plan_usage
from tests.factories import random_network, random_orders


def _instance(seed: int) -> Instance:
    rng = np.random.default_rng(seed)
    network = random_network(rng, num_nodes=3, num_skus=4, stock_high=7)
    return build_instance(network, random_orders(rng, network, num_orders=10, max_lines=4))


@settings(max_examples=30, deadline=None, database=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_cuts_are_the_rows_whose_rounding_binds(seed: int) -> None:
    inst = _instance(seed)
    cuts = stock_cuts(inst)
    most = np.zeros(inst.num_skus, np.int64)
    np.maximum.at(most, inst.comp_sku, inst.comp_units)
    expected = [
        (f * inst.num_skus + s, d, a // d)
        for f in range(inst.num_nodes)
        for s in range(inst.num_skus)
        for a in [int(inst.available[f, s])]
        for d in range(2, min(a, int(most[s])) + 1)
        if a % d
    ]
    cell = np.repeat(np.arange(inst.num_nodes * inst.num_skus), np.diff(cuts.ptr))
    got = list(zip(cell.tolist(), cuts.div.tolist(), cuts.supply.astype(int).tolist(), strict=True))
    assert got == expected


@settings(max_examples=30, deadline=None, database=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_every_feasible_plan_satisfies_the_cuts(seed: int) -> None:
    """Plans routed order by order against the stock left, at random prices to vary them."""
    inst = _instance(seed)
    rng = np.random.default_rng(seed)
    pool = ColumnPool(inst)
    first_cut = inst.num_nodes * (inst.num_skus + 1)
    for _ in range(5):
        avail, cap = inst.available.copy(), inst.capacity.copy()
        assign = np.full(inst.num_lines, -1, np.int64)
        price = rng.exponential(10.0, inst.available.shape)
        for o in rng.permutation(inst.num_orders):
            _, lines = solve_order(inst, int(o), avail, cap, price, np.zeros(inst.num_nodes))
            lo, hi = inst.line_ptr[o], inst.line_ptr[o + 1]
            assign[lo:hi] = lines
            mine = np.full(inst.num_lines, -1, np.int64)
            mine[lo:hi] = lines
            used, used_cap = plan_usage(inst, mine)
            avail -= used
            cap -= used_cap
        assert (avail >= 0).all()
        usage = pool.usage(assign)[first_cut:]
        assert (usage <= pool.cuts.supply).all()
