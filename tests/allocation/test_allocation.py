"""allocate(): every method gives a feasible plan whose result fields agree with its files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import dom
from dom.allocation import METHODS, AllocationResult
from dom.costs import build_instance
from dom.generate import GeneratorParams, generate
from solvers import greedy, solve_exact
from tests.solvers.brute import check_assign, check_bound_and_gap

TOL = 1e-6


@pytest.fixture(scope="module")
def scarce(tmp_path_factory: pytest.TempPathFactory) -> tuple[dom.Network, dom.Orders]:
    """A generated scarce day: 6 nodes, 300 SKUs, 200 orders, stock 80% and capacity 95% of
    demand."""
    out: Path = tmp_path_factory.mktemp("scarce")
    generate(out, GeneratorParams(6, 300, 200, seed=11, stock_cover=0.8, capacity_cover=0.95))
    network = dom.load_network(out)
    return network, dom.load_orders(out / "orders.csv", network)


def _assert_consistent(network: dom.Network, orders: dom.Orders, run: AllocationResult) -> None:
    """The plan obeys every rule; cost, bound, gap and status agree with each other and the
    summary."""
    inst = build_instance(network, orders)
    check = check_assign(inst, run.plan.assign, network.enabled)
    assert check.violations == [], run.method
    assert run.total_cost == pytest.approx(check.cost, rel=TOL, abs=TOL)
    assert run.total_cost == run.plan.summary.total_cost
    assert run.lower_bound == run.plan.summary.lower_bound
    assert run.gap == run.plan.summary.gap
    check_bound_and_gap(run.total_cost, run.lower_bound, run.gap, run.status.value)


@pytest.mark.parametrize("method", METHODS)
def test_every_method_gives_a_feasible_consistent_plan(
    scarce: tuple[dom.Network, dom.Orders], method: str
) -> None:
    """default, lagrangian, exact and greedy plans on a generated scarce day obey every rule."""
    network, orders = scarce
    run = dom.allocate(network, orders, method=method, stop=dom.MaxRuntime(3.0))
    _assert_consistent(network, orders, run)
    assert run.method == method and run.plan.summary.method == method
    assert method in str(run) and run.message


@pytest.mark.slow
def test_default_method_is_near_the_proven_optimum(scarce: tuple[dom.Network, dom.Orders]) -> None:
    """On the generated scarce day the default method is within 1% of the exact optimum and its
    bound below it; greedy is feasible but dearer."""
    network, orders = scarce
    inst = build_instance(network, orders)
    exact = solve_exact(inst, time_limit=60)
    assert exact.status is dom.Status.OPTIMAL
    ours = dom.allocate(network, orders, stop=dom.MaxRuntime(5.0))
    assert ours.lower_bound is not None
    assert ours.lower_bound <= exact.objective + TOL * exact.objective
    assert ours.total_cost <= 1.01 * exact.objective
    assert greedy(inst).objective > ours.total_cost


def test_a_work_limited_allocation_is_reproducible(scarce: tuple[dom.Network, dom.Orders]) -> None:
    """With a work limit the default method stops on work done: two runs, the same plan, bound
    and files; another seed may differ, but is as feasible."""
    network, orders = scarce
    stop = dom.MaxRuntime(120.0) | dom.MaxWork(40 * orders.num_orders)
    runs = [dom.allocate(network, orders, stop=stop) for _ in range(2)]
    assert np.array_equal(runs[0].plan.assign, runs[1].plan.assign)
    assert runs[0].lower_bound == runs[1].lower_bound
    assert runs[0].plan.shipments.equals(runs[1].plan.shipments)
    _assert_consistent(network, orders, runs[0])
    _assert_consistent(network, orders, dom.allocate(network, orders, stop=stop, seed=7))


def test_a_gap_target_ends_the_search_early(scarce: tuple[dom.Network, dom.Orders]) -> None:
    """GapBelow stops the search once the proven gap is below it, and says so."""
    network, orders = scarce
    stop = dom.MaxRuntime(30) | dom.GapBelow(0.05)
    run = dom.allocate(network, orders, method="lagrangian", stop=stop)
    assert run.gap is not None and run.gap <= 0.05
    assert run.status is dom.Status.OPTIMAL or "gap below the target 5.00%" in run.message


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "fastest"}, "unknown method 'fastest'"),
        ({"stop": dom.GapBelow(0.01)}, "never ends the search"),
        ({"method": "exact", "stop": dom.MaxWork(10)}, "exact method stops on the clock"),
    ],
)
def test_bad_arguments_are_refused(
    scarce: tuple[dom.Network, dom.Orders], kwargs: dict, message: str
) -> None:
    """An unknown method, a stop that never ends and an exact run without a clock are refused."""
    network, orders = scarce
    with pytest.raises(ValueError, match=message):
        dom.allocate(network, orders, **kwargs)


def test_the_plan_writes_its_files(scarce: tuple[dom.Network, dom.Orders], tmp_path: Path) -> None:
    """plan.write puts the three files of contracts §4 in the folder, in either format."""
    network, orders = scarce
    run = dom.allocate(network, orders, method="greedy")
    assert sorted(p.name for p in run.plan.write(tmp_path / "csv").iterdir()) == [
        "lines.csv",
        "shipments.csv",
        "summary.json",
    ]
    run.plan.write(tmp_path / "pq", format="parquet")
    assert (tmp_path / "pq" / "shipments.parquet").is_file()
    with pytest.raises(ValueError, match="plan format"):
        run.plan.write(tmp_path / "x", format="xlsx")
