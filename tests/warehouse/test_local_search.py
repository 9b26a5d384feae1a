"""The iterated local search: a closed tour from city 0, never longer than where it started."""

from __future__ import annotations

import numpy as np
import pytest

from warehouse_graph import rect_layout
from warehouse_graph.local_search import improve_tour
from warehouse_graph.routing import tour_length


def _metric(seed: int, n: int) -> np.ndarray:
    pts = np.random.default_rng(seed).uniform(0, 50, (n, 2))
    return np.abs(pts[:, None] - pts[None]).sum(axis=2)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 30])
def test_tour_is_a_permutation_from_city_zero(n):
    """Every city once, city 0 first, whatever the size."""
    tour = improve_tour(_metric(n, n))
    assert tour[0] == 0
    assert sorted(tour.tolist()) == list(range(n))


def test_search_never_lengthens_its_start():
    """From a given start the returned tour is no longer than the start."""
    d = _metric(3, 40)
    start = np.random.default_rng(1).permutation(np.arange(1, 40))
    tour = improve_tour(d, np.concatenate(([0], start)), max_kicks=50)
    assert tour_length(d, tour[1:]) <= tour_length(d, start) + 1e-9


def test_same_seed_same_tour():
    """With a kick budget (not a time limit) the search is deterministic."""
    layout = rect_layout(aisles=10, blocks=6, slots_per_block=5)
    locs = list(np.random.default_rng(2).choice(layout.location_ids, 50, replace=False))
    d = layout.distance_matrix(locs)
    first = improve_tour(d, time_limit=60, max_kicks=200)
    again = improve_tour(d, time_limit=60, max_kicks=200)
    assert first.tolist() == again.tolist()
