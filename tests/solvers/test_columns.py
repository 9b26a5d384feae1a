"""The column pool: distinct plans only, and a restricted dual that is exact on its own plans and
never below the Lagrangian (so searching prices on it cannot fake a bound)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dom.costs import build_instance
from solvers.columns import ColumnPool
from solvers.instance import Instance
from solvers.order import solve_order
from solvers.plans import plan_costs, plan_usage
from tests.factories import random_network, random_orders


def _instance(seed: int) -> Instance:
    rng = np.random.default_rng(seed)
    network = random_network(rng, num_nodes=4, num_skus=5, stock_high=3, capacity_high=8)
    return build_instance(network, random_orders(rng, network, num_orders=12, max_lines=4))


def _random_prices(inst: Instance, pool: ColumnPool, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    prices = rng.exponential(5.0, pool.num_resources) * (rng.random(pool.num_resources) < 0.6)
    prices[~pool.finite] = 0.0
    return prices


def _lagrangian(inst: Instance, pool: ColumnPool, prices: np.ndarray) -> tuple[float, np.ndarray]:
    """The exact Lagrangian at ``prices`` (every order by the kernel) and its relaxed plan."""
    stock, cap_end = inst.num_nodes * inst.num_skus, inst.num_nodes * (inst.num_skus + 1)
    price, cap_price = prices[:stock].reshape(inst.available.shape), prices[stock:cap_end]
    cuts = (pool.cuts.ptr, pool.cuts.div, prices[cap_end:])
    assign = np.full(inst.num_lines, -1, np.int64)
    total = 0.0
    for o in range(inst.num_orders):
        cost, lines = solve_order(inst, o, price=price, cap_price=cap_price, cuts=cuts)
        total += cost
        assign[inst.line_ptr[o] : inst.line_ptr[o + 1]] = lines
    return total - float(prices @ pool.supply), assign


@settings(max_examples=40, deadline=None, database=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_restricted_dual_is_exact_on_its_plans_and_never_below_the_lagrangian(seed: int) -> None:
    """With capacity priced, and without (the pool then skips the capacity entries)."""
    inst = _instance(seed)
    pool = ColumnPool(inst)
    pool.add(np.full(inst.num_lines, -1, np.int64))
    capacity = slice(inst.num_nodes * inst.num_skus, inst.num_nodes * (inst.num_skus + 1))
    for k in range(4):
        prices = _random_prices(inst, pool, seed + k)
        if k % 2:
            prices[capacity] = 0.0
        bound, relaxed = _lagrangian(inst, pool, prices)
        pool.add(relaxed)
        value, _ = pool.restricted(prices)
        assert value == pytest.approx(bound, rel=1e-9, abs=1e-9)
        other = _random_prices(inst, pool, seed + 100 + k)
        assert pool.restricted(other)[0] >= _lagrangian(inst, pool, other)[0] - 1e-9


@settings(max_examples=40, deadline=None, database=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_a_plan_is_added_once_and_its_usage_and_cost_are_the_plans(seed: int) -> None:
    inst = _instance(seed)
    rng = np.random.default_rng(seed)
    assign = np.where(
        rng.random(inst.num_lines) < 0.3, -1, rng.integers(0, inst.num_nodes, inst.num_lines)
    )
    pool = ColumnPool(inst)
    assert pool.add(assign) == inst.num_orders
    assert pool.add(assign.copy()) == 0
    assert pool.num_columns == inst.num_orders
    value, usage = pool.restricted(np.zeros(pool.num_resources))
    stock, capacity = plan_usage(inst, assign)
    cuts = _cut_usage(inst, pool, assign)
    assert np.array_equal(usage, np.concatenate([stock.reshape(-1), capacity, cuts]))
    assert np.array_equal(pool.usage(assign), usage)
    assert value == pytest.approx(float(plan_costs(inst, assign).sum()))


def _cut_usage(inst: Instance, pool: ColumnPool, assign: np.ndarray) -> np.ndarray:
    """Each stock cut's left side, summed afresh: per order and cell the units drawn, floored
    by the cut's divisor (``solvers.cuts``)."""
    drawn = np.zeros((inst.num_orders, inst.num_nodes * inst.num_skus), np.int64)
    for o in range(inst.num_orders):
        for i in range(inst.line_ptr[o], inst.line_ptr[o + 1]):
            if assign[i] >= 0:
                for c in range(inst.comp_ptr[i], inst.comp_ptr[i + 1]):
                    drawn[o, assign[i] * inst.num_skus + inst.comp_sku[c]] += inst.comp_units[c]
    cell_of_cut = np.repeat(np.arange(inst.num_nodes * inst.num_skus), np.diff(pool.cuts.ptr))
    return (drawn[:, cell_of_cut] // pool.cuts.div).sum(axis=0).astype(float)


@settings(max_examples=30, deadline=None, database=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_usage_carried_between_price_steps_equals_usage_summed_afresh(seed: int) -> None:
    """``restricted`` re-sums only the orders whose choice changed since its last call, and
    plans joining the pool in between renumber its columns: it must still return what a pool
    holding the same plans, called for the first time, returns."""
    inst = _instance(seed)
    pool = ColumnPool(inst)
    plans = [np.full(inst.num_lines, -1, np.int64)]
    pool.add(plans[0])
    for k in range(6):
        prices = _random_prices(inst, pool, seed + k)
        if k % 2:
            plans.append(_lagrangian(inst, pool, prices)[1])
            pool.add(plans[-1])
        value, usage = pool.restricted(prices)
        afresh = ColumnPool(inst)
        for plan in plans:
            afresh.add(plan)
        expected_value, expected_usage = afresh.restricted(prices)
        assert np.array_equal(usage, expected_usage)
        assert value == pytest.approx(expected_value, rel=1e-12, abs=1e-9)


@settings(max_examples=15, deadline=None, database=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_master_prices_maximise_the_restricted_dual(seed: int) -> None:
    """The restricted master LP's prices are non-negative, zero on unlimited resources, and (LP
    duality, to PDLP's tolerance) no random prices give a higher restricted dual. With rows for
    some resources only, the prices are zero elsewhere and best among prices that are."""
    inst = _instance(seed)
    pool = ColumnPool(inst)
    pool.add(np.full(inst.num_lines, -1, np.int64))
    for k in range(4):
        pool.add(_lagrangian(inst, pool, _random_prices(inst, pool, seed + k))[1])
    active = np.random.default_rng(seed).random(pool.num_resources) < 0.5
    for rows in (None, active):
        master = pool.master_prices(time_limit=30.0, active=rows)
        assert master is not None
        assert (master >= 0).all() and (master[~pool.finite] == 0).all()
        support = np.ones(pool.num_resources, bool) if rows is None else rows
        assert (master[~support] == 0).all()
        best = pool.restricted(master)[0]
        scale = max(1.0, abs(best))
        for k in range(20):
            other = _random_prices(inst, pool, seed + 50 + k) * support
            assert pool.restricted(other)[0] <= best + 1e-3 * scale
        assert pool.restricted(np.zeros(pool.num_resources))[0] <= best + 1e-3 * scale
