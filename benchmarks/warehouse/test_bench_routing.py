"""Speed of the routing core (pytest-benchmark): exact routes, best, look-ups, layout loading.

    pytest benchmarks/warehouse/test_bench_routing.py --benchmark-columns=min,median,mean

Fixed work: 100 random picks (seeded) on 20-aisle layouts with 25 slots per block.
"""

from __future__ import annotations

import numpy as np
import pytest

from warehouse_graph import Layout, pick_route, rect_layout
from warehouse_graph.exact import optimal_order
from warehouse_graph.local_search import improve_tour


def _layout(blocks: int, aisles: int = 20, slots: int = 25) -> Layout:
    return rect_layout(aisles=aisles, blocks=blocks, slots_per_block=slots)


def _picks(layout, n: int = 100) -> list[str]:
    return list(np.random.default_rng(7).choice(layout.location_ids, n, replace=False))


@pytest.mark.parametrize("blocks", [1, 2, 3, 4])
def test_exact_dp_100_picks(benchmark, blocks):
    """The aisle DP alone (order and proven length) at 100 picks."""
    layout = _layout(blocks)
    locs = _picks(layout)
    picks, d = layout.indices(locs), layout.distance_matrix(locs)
    found = benchmark(optimal_order, layout.distances, picks, d)
    assert found is not None


@pytest.mark.parametrize("blocks", [1, 2, 3, 4])
def test_best_route_100_picks(benchmark, blocks):
    """pick_route('best') end to end: validation, distance look-up, solve, node path."""
    layout = _layout(blocks)
    locs = _picks(layout)
    route = benchmark(pick_route, layout, locs, "best")
    assert route.proven_optimal


def test_local_search_100_picks(benchmark):
    """The iterated local search on a 100-pick, 6-block distance matrix (default budget)."""
    layout = _layout(6, aisles=10, slots=20)
    d = layout.distance_matrix(_picks(layout))
    benchmark(improve_tour, d)


def test_distance_lookup_100_picks(benchmark):
    """The 101 x 101 distance matrix of a pick list."""
    layout = _layout(2)
    locs = _picks(layout)
    benchmark(layout.distance_matrix, locs)


def test_load_10000_locations(benchmark):
    """Loading a 50-aisle, 2-block, 99-slot layout (9,900 locations) with its tables."""
    layout = benchmark.pedantic(_layout, args=(2, 50, 99), rounds=3, iterations=1)
    assert layout.num_locations == 9_900
