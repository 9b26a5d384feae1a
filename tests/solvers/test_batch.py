"""Batch allocation: the exact model is optimal, the Lagrangian bound holds, plans are feasible."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dom.costs import build_instance
from dom.generate import GeneratorParams, generate
from dom.io import load_network, load_orders
from dom.model import Network
from solvers import batch, mip
from solvers.baselines import greedy
from solvers.batch.search import PriceSearch
from solvers.instance import Instance
from solvers.plans import plan_costs
from solvers.result import Result, Status
from solvers.stop import MaxRuntime, MaxWork
from tests.factories import random_network, random_orders
from tests.solvers.brute import best_batch, check_assign, check_bound_and_gap

TOL = 1e-6


def _instance(
    seed: int,
    *,
    num_orders: int,
    num_nodes: int,
    max_lines: int,
    stock_high: int,
    capacity_high: int | None,
    max_shipments: int | None,
    backorder: float,
) -> tuple[Network, Instance]:
    """A random scarce instance from the factories, with a chosen backorder penalty."""
    rng = np.random.default_rng(seed)
    network = random_network(
        rng,
        num_nodes=num_nodes,
        num_skus=5,
        num_kits=1,
        stock_high=stock_high,
        capacity_high=capacity_high,
        max_shipments=max_shipments,
    )
    policy = dataclasses.replace(network.policy, backorder_penalty_per_unit=backorder)
    network = dataclasses.replace(network, policy=policy)
    orders = random_orders(rng, network, num_orders=num_orders, max_lines=max_lines)
    return network, build_instance(network, orders)


def _assert_consistent(inst: Instance, network: Network, result: Result) -> None:
    """The plan obeys every rule, its cost is the objective, and bound, gap and status agree."""
    check = check_assign(inst, result.assign, network.enabled)
    assert check.violations == [], result.method
    assert result.objective == pytest.approx(check.cost, rel=TOL, abs=TOL)
    assert result.objective == pytest.approx(float(plan_costs(inst, result.assign).sum()), rel=TOL)
    check_bound_and_gap(result.objective, result.bound, result.gap, result.status.value)
    assert result.runtime >= 0


@settings(max_examples=60, deadline=None, database=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    num_orders=st.integers(1, 5),
    num_nodes=st.integers(1, 3),
    stock_high=st.integers(0, 4),
    capacity_high=st.sampled_from([None, 3, 6]),
    max_shipments=st.sampled_from([None, 1, 2]),
    backorder=st.sampled_from([15.0, 60.0]),
)
def test_exact_model_equals_brute_force(
    seed: int,
    num_orders: int,
    num_nodes: int,
    stock_high: int,
    capacity_high: int | None,
    max_shipments: int | None,
    backorder: float,
) -> None:
    """On tiny batches the exact MIP proves the optimum that enumerating every plan finds."""
    network, inst = _instance(
        seed,
        num_orders=num_orders,
        num_nodes=num_nodes,
        max_lines=3,
        stock_high=stock_high,
        capacity_high=capacity_high,
        max_shipments=max_shipments,
        backorder=backorder,
    )
    result = mip.solve_exact(inst, time_limit=30)
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(best_batch(inst, network.enabled), rel=TOL, abs=TOL)
    _assert_consistent(inst, network, result)


@settings(max_examples=10, deadline=None, database=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    num_orders=st.integers(1, 5),
    num_nodes=st.integers(1, 3),
    max_shipments=st.sampled_from([None, 1, 2]),
)
def test_exact_model_on_scip_equals_brute_force(
    seed: int, num_orders: int, num_nodes: int, max_shipments: int | None
) -> None:
    """The same model solved by SCIP (the benchmarks' prover for large nodes) proves the
    optimum that enumerating every plan finds, and returns a consistent plan."""
    network, inst = _instance(
        seed,
        num_orders=num_orders,
        num_nodes=num_nodes,
        max_lines=3,
        stock_high=2,
        capacity_high=6,
        max_shipments=max_shipments,
        backorder=60.0,
    )
    result = mip.solve_exact(inst, time_limit=30, solver="scip")
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(best_batch(inst, network.enabled), rel=TOL, abs=TOL)
    _assert_consistent(inst, network, result)


@pytest.mark.slow
@settings(max_examples=12, deadline=None, database=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    num_orders=st.integers(20, 80),
    num_nodes=st.integers(2, 5),
    stock_high=st.integers(1, 4),
    capacity_high=st.sampled_from([None, 8, 20]),
    max_shipments=st.sampled_from([None, 1, 2, 3]),
    backorder=st.sampled_from([15.0, 60.0]),
)
def test_batch_bound_never_exceeds_the_exact_optimum(
    seed: int,
    num_orders: int,
    num_nodes: int,
    stock_high: int,
    capacity_high: int | None,
    max_shipments: int | None,
    backorder: float,
) -> None:
    """The Lagrangian solver's bound is at most the proven optimum, its plan at least it, and the
    plan and greedy's are feasible with consistent Result fields."""
    network, inst = _instance(
        seed,
        num_orders=num_orders,
        num_nodes=num_nodes,
        max_lines=4,
        stock_high=stock_high,
        capacity_high=capacity_high,
        max_shipments=max_shipments,
        backorder=backorder,
    )
    exact = mip.solve_exact(inst, time_limit=30)
    assert exact.status is Status.OPTIMAL
    ours = batch.solve(inst, stop=MaxRuntime(1.0))
    slack = TOL * max(1.0, exact.objective)
    assert ours.bound is not None and ours.bound <= exact.objective + slack
    assert ours.objective >= exact.objective - slack
    _assert_consistent(inst, network, ours)
    base = greedy(inst)
    assert base.objective >= exact.objective - slack
    _assert_consistent(inst, network, base)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Network, Instance]:
    """A generated scarce day: 6 nodes, 300 SKUs, 200 orders, stock 80% and capacity 95% of
    demand."""
    out: Path = tmp_path_factory.mktemp("scarce")
    generate(out, GeneratorParams(6, 300, 200, seed=11, stock_cover=0.8, capacity_cover=0.95))
    network = load_network(out)
    return network, build_instance(network, load_orders(out / "orders.csv", network))


def test_a_work_limited_solve_is_reproducible(generated: tuple[Network, Instance]) -> None:
    """Stopped by work alone, two batch solves give the same plan and bound."""
    network, inst = generated
    runs = [batch.solve(inst, stop=MaxWork(40 * inst.num_orders)) for _ in range(2)]
    assert np.array_equal(runs[0].assign, runs[1].assign)
    assert runs[0].bound == runs[1].bound
    _assert_consistent(inst, network, runs[0])


def test_an_unbounded_stop_is_refused(generated: tuple[Network, Instance]) -> None:
    """A stop with neither a runtime nor a work limit would never end: refused up front."""
    from solvers.stop import GapBelow

    with pytest.raises(ValueError, match="never ends the search"):
        batch.solve(generated[1], stop=GapBelow(0.01))


def test_work_limit_must_be_positive() -> None:
    """A work limit below one is refused with a message naming the value."""
    with pytest.raises(ValueError, match="MaxWork needs a whole number of solves >= 1, got 0"):
        MaxWork(0)


def test_master_steps_run_on_the_clock_and_keep_the_bound_proven(
    generated: tuple[Network, Instance],
) -> None:
    """With time for them, LP master steps follow the subgradient search; the bound stays below
    the exact optimum. A work-limited solve takes none (they are not reproducible by work)."""
    network, inst = generated
    exact = mip.solve_exact(inst, time_limit=60)
    ours = batch.solve(inst, stop=MaxRuntime(6.0), params=batch.BatchParams(gap_tolerance=0.0))
    assert ours.gap is not None and ours.bound is not None and exact.bound is not None
    assert ours.stats["master_steps"] > 0 or ours.gap <= 1e-9
    assert ours.bound <= exact.bound + TOL * abs(exact.bound)
    _assert_consistent(inst, network, ours)
    limited = batch.solve(inst, stop=MaxRuntime(60.0) | MaxWork(20_000))
    assert limited.stats["master_steps"] == 0


@pytest.mark.parametrize("steps", [1, 5])
def test_a_price_search_ends_at_the_best_restricted_point_it_reached(
    generated: tuple[Network, Instance], steps: int
) -> None:
    """Every point a price search steps to counts, the last one too: a search of one step from
    prices the restricted dual can improve on moves them (it once only weighed the points before
    each step, so one step never moved), and it never ends below where it started."""
    _, inst = generated
    search = PriceSearch(inst, batch.BatchParams(), deadline=float("inf"))
    search.exact_pass()
    search.prices[...] = 0.0
    start, usage = search.pool.restricted(search.prices)
    assert (usage > search.pool.supply + 0.5).any()  # over-used at zero prices: a step helps
    search.price_search(steps)
    assert search.pool.restricted(search.prices)[0] > start
