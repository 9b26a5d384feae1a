"""Ruin-and-recreate: moves keep plans feasible, report their saving, eject orders in the way."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dom.costs import build_instance
from dom.generate import GeneratorParams, generate
from dom.io import load_network, load_orders
from dom.model import Network
from solvers import lns
from solvers.batch import BatchParams
from solvers.batch.search import PriceSearch
from solvers.instance import Instance
from solvers.plans import plan_costs, plan_usage
from tests.solvers.brute import check_assign


def _blocked() -> Instance:
    """Order 0 (SKUs 0 and 1) ships as one parcel only from node 0, where order 1 (SKU 0) holds
    the one unit of SKU 0; order 1 could take node 1's unit for 1 more. Re-routing either order
    alone cannot get there: only trading the unit does (25 -> 11)."""
    return Instance(
        line_ptr=np.array([0, 2, 3]),
        ship_complete=np.array([False, False]),
        order_table=np.array([[0, 0], [0, 1]], np.int32),
        line_weight=np.ones(3),
        line_backorder=np.full(3, 100.0),
        line_units=np.ones(3, np.int64),
        comp_ptr=np.array([0, 1, 2, 3]),
        comp_sku=np.array([0, 1, 0]),
        comp_units=np.ones(3, np.int64),
        available=np.array([[1, 1], [1, 0]]),
        capacity=np.full(2, np.inf),
        ship_cost=np.array([[5.0, 5.0, 5.0], [6.0, 6.0, 6.0]]),
        split_penalty=10.0,
        max_shipments=0,
    )


def test_an_ejection_move_trades_the_unit_in_the_way() -> None:
    """From the split plan, one ejection move aimed at order 0's one-parcel plan re-routes order 0
    first and the order it displaces after: the optimum, and the saving it reports."""
    inst = _blocked()
    split = np.array([1, 0, 0])  # order 0 split over both nodes, order 1 on node 0's unit
    assert plan_costs(inst, split).sum() == pytest.approx(25.0)
    target = np.array([[0, 0, 0]])  # order 0 from node 0; order 1 as it is
    rr = lns.RuinRecreate(inst, split)
    saved, moved = rr.moves(1, lns._EJECTION, target)
    assert rr.assign.tolist() == [0, 0, 1]
    assert saved == pytest.approx(14.0)
    assert moved.tolist() == [0, 1]
    assert plan_costs(inst, rr.assign).sum() == pytest.approx(11.0)
    assert rr.cost == pytest.approx(11.0)
    assert rr.avail.tolist() == [[0, 0], [0, 0]]
    assert rr.solves == 2


@pytest.mark.parametrize("largest", [False, True])
def test_a_move_that_saves_nothing_leaves_the_plan_as_it_was(largest: bool) -> None:
    """At the optimum no move of either kind, in either recreate order, changes anything or
    claims a saving."""
    inst = _blocked()
    best = np.array([0, 0, 1])
    for kind in (lns._RELATED, lns._EJECTION):
        rr = lns.RuinRecreate(inst, best)
        saved, moved = rr.moves(20, kind, np.array([[1, 0, 0]]), largest=largest)
        assert rr.assign.tolist() == best.tolist()
        assert saved == 0.0
        assert len(moved) == 0


def test_largest_first_sorts_the_rest_of_the_group_by_units_and_keeps_ties_in_place() -> None:
    """The order in front (an ejection's) stays; the others go by units, descending, stably."""
    units = np.array([1.0, 5.0, 2.0, 5.0, 3.0])
    hood = np.array([0, 2, 1, 4, 3, 99])  # the last entry is beyond the group
    lns._largest_first(hood, 1, 5, units)
    assert hood.tolist() == [0, 1, 3, 4, 2, 99]


@pytest.fixture(scope="module")
def scarce(tmp_path_factory: pytest.TempPathFactory) -> tuple[Network, Instance]:
    out: Path = tmp_path_factory.mktemp("lns")
    generate(out, GeneratorParams(8, 200, 400, seed=5, stock_cover=0.8, capacity_cover=0.9))
    network = load_network(out)
    return network, build_instance(network, load_orders(out / "orders.csv", network))


def _priced_search(inst: Instance) -> tuple[PriceSearch, np.ndarray, np.ndarray]:
    """A search after a few price steps, its relaxed plan and each order's priced cost in it."""
    search = PriceSearch(inst, BatchParams(), deadline=float("inf"))
    for _ in range(3):
        search.exact_pass()
        search.price_search(10)
    _, relaxed, relaxed_costs = search.relaxed()
    return search, relaxed, relaxed_costs


def test_regret_and_unused_priced_stock_make_up_the_gap(scarce: tuple[Network, Instance]) -> None:
    """At any prices, a feasible plan's cost minus the Lagrangian bound is the orders' regret
    (plan at the prices above the relaxed plan, never negative) plus the priced stock and
    capacity the plan leaves unused: the moves aim where the gap is."""
    _, inst = scarce
    search, _, relaxed_costs = _priced_search(inst)
    bound = search.relaxed()[0]
    assign = search.route(np.arange(inst.num_orders), prices=False)
    regret = search.regret(assign, relaxed_costs)
    assert (regret >= -1e-9).all()
    assert (regret > 1e-6).any()
    unused = search.prices @ (search.pool.supply - search.pool.usage(assign))
    assert float(plan_costs(inst, assign).sum()) - bound == pytest.approx(
        regret.sum() + unused, rel=1e-9
    )


def test_draw_picks_by_weight_and_never_a_weightless_item() -> None:
    """``_draw`` takes each item with probability proportional to its weight (4,000 draws: the
    share is within 4.4 standard deviations)."""
    items = np.array([10, 11, 12, 13])
    cum = np.cumsum([0.0, 1.0, 0.0, 3.0])
    picks = np.array([lns._draw(items, cum) for _ in range(4000)])
    assert set(np.unique(picks).tolist()) == {11, 13}
    assert (picks == 13).mean() == pytest.approx(0.75, abs=0.03)


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("aimed", [False, True])
def test_moves_keep_the_plan_feasible_and_report_what_they_save(
    scarce: tuple[Network, Instance], workers: int, aimed: bool
) -> None:
    """On a generated scarce day (tight capacity too), from the greedy-like plan of routing
    orders in turn, both kinds of moves (ejections aimed at relaxed plans), on one thread or on
    two at once, drawn at random or ``aimed`` at the orders with regret, keep every rule, save
    exactly what they report, change only the orders they report, keep the stock left and the
    regret of the moved orders up to date, and together save something."""
    network, inst = scarce
    search, relaxed, relaxed_costs = _priced_search(inst)
    targets = np.array([relaxed])
    assign = search.route(np.arange(inst.num_orders), prices=False)
    start = float(plan_costs(inst, assign).sum())
    rr = lns.RuinRecreate(inst, assign, size=6, seed=1, workers=workers)
    regret = search.regret(assign, relaxed_costs) if aimed else None
    total = 0.0
    for _ in range(10):
        before_plan = rr.assign.copy()
        before = float(plan_costs(inst, before_plan).sum())
        saved, moved = rr.improve(200, targets, regret)
        after = float(plan_costs(inst, rr.assign).sum())
        assert saved >= 0
        assert before - after == pytest.approx(saved, rel=1e-9, abs=1e-6)
        assert rr.cost == pytest.approx(after, rel=1e-9)
        changed = np.add.reduceat(before_plan != rr.assign, inst.line_ptr[:-1]) > 0
        assert set(np.flatnonzero(changed).tolist()) <= set(moved.tolist())
        used, _ = plan_usage(inst, rr.assign)
        assert (rr.avail == inst.available - used).all()
        if regret is not None:
            search.regret(rr.assign, relaxed_costs, moved, regret)
            fresh = search.regret(rr.assign, relaxed_costs)
            assert regret == pytest.approx(fresh, rel=1e-9, abs=1e-9)
        total += saved
    assert check_assign(inst, rr.assign, network.enabled).violations == []
    assert total > 0.001 * start
    assert rr.solves > 0


def test_parts_split_orders_by_their_skus(scarce: tuple[Network, Instance]) -> None:
    """An order belongs to a part only when all its SKUs do; else it is left out (-1)."""
    _, inst = scarce
    sku_part, order_part = lns.RuinRecreate(inst, np.full(inst.num_lines, -1))._parts(2)
    assert set(np.unique(sku_part).tolist()) == {0, 1}
    for o in range(inst.num_orders):
        comps = slice(inst.comp_ptr[inst.line_ptr[o]], inst.comp_ptr[inst.line_ptr[o + 1]])
        parts = set(sku_part[inst.comp_sku[comps]].tolist())
        assert order_part[o] == (parts.pop() if len(parts) == 1 else -1)
    assert (order_part >= 0).any() and (order_part == -1).any()
