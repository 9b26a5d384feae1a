"""Textbook policies: every pick once, the classic walks, and Hall's crossover in quality."""

from __future__ import annotations

import numpy as np
import pytest

from dom.errors import InvalidInput
from warehouse_graph import POLICIES, Layout, load_layout, pick_route, rect_layout
from warehouse_graph.distances import RectDistances
from warehouse_graph.policies import policy_order


def _layout(blocks: int = 1, depot: str = "front-left") -> Layout:
    return rect_layout(aisles=10, blocks=blocks, slots_per_block=20, depot=depot)


@pytest.mark.parametrize("blocks", [1, 2, 3])
@pytest.mark.parametrize("method", POLICIES)
def test_policy_visits_every_pick_once(method, blocks):
    """Each policy's stops are a permutation of the pick list."""
    layout = _layout(blocks, "front-centre")
    locs = list(np.random.default_rng(blocks).choice(layout.location_ids, 25, replace=False))
    route = pick_route(layout, locs, method)
    assert sorted(route.stops) == sorted(locs)
    assert not route.proven_optimal


def test_s_shape_traverses_and_largest_gap_returns():
    """Two deep picks in aisle 1 and 3: s-shape goes through, largest gap splits at the gap."""
    layout = _layout()
    locs = ["A01-B1-S02", "A03-B1-S19", "A03-B1-S03"]
    s_shape = pick_route(layout, locs, "s-shape")
    assert s_shape.stops == ("A01-B1-S02", "A03-B1-S19", "A03-B1-S03")
    gap = pick_route(layout, locs, "largest-gap")
    assert gap.stops == ("A01-B1-S02", "A03-B1-S19", "A03-B1-S03")
    ret = pick_route(layout, locs, "return")
    assert ret.stops == ("A01-B1-S02", "A03-B1-S03", "A03-B1-S19")


def test_farthest_block_is_entered_from_the_front_with_its_first_aisle_traversed():
    """Two blocks: up aisle 1 to block 2, aisle 3 traversed, aisle 5 last (Roodbergen-de Koster)."""
    layout = _layout(2)
    locs = ["A03-B2-S18", "A01-B1-S03", "A05-B2-S04", "A03-B2-S02"]
    expected = ("A01-B1-S03", "A03-B2-S02", "A03-B2-S18", "A05-B2-S04")
    for method in ("s-shape", "largest-gap", "midpoint", "combined"):
        assert pick_route(layout, locs, method).stops == expected, method


def _mean_excess(layout: Layout, n: int, method: str, trials: int = 30) -> float:
    rng = np.random.default_rng(n)
    excess = []
    for _ in range(trials):
        locs = list(rng.choice(layout.location_ids, n, replace=False))
        excess.append(
            pick_route(layout, locs, method).length_m / pick_route(layout, locs, "optimal").length_m
        )
    return float(np.mean(excess)) - 1.0


def test_hall_crossover_single_block():
    """Largest gap beats s-shape at few picks and s-shape beats it at many (Hall 1993)."""
    layout = _layout()
    assert _mean_excess(layout, 8, "largest-gap") < _mean_excess(layout, 8, "s-shape")
    assert _mean_excess(layout, 60, "s-shape") < _mean_excess(layout, 60, "largest-gap")


def test_policies_need_a_rectangular_layout():
    """A policy on a general graph is refused with a message naming the method and the fix."""
    layout = load_layout("data/layouts/floor-with-obstacle.json")
    with pytest.raises(InvalidInput, match=r"'s-shape' needs a rectangular layout.*'best'"):
        pick_route(layout, layout.location_ids[:3], "s-shape")


def test_policy_order_is_points_of_the_pick_list():
    """policy_order numbers the stops 1..n as rows of the pick list's distance matrix."""
    layout = _layout(2)
    locs = ["A03-B2-S18", "A01-B1-S03", "A05-B2-S04", "A03-B2-S02"]
    assert isinstance(layout.distances, RectDistances)
    order = policy_order(layout.distances, layout.indices(locs), "s-shape")
    assert sorted(order.tolist()) == [1, 2, 3, 4]
    stops = tuple(locs[i - 1] for i in order)
    assert stops == pick_route(layout, locs, "s-shape").stops
