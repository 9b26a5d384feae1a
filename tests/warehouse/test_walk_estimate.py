"""The batching walk estimate: exact on tiny sets, never below the optimum, orders merged."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.warehouse.plans import DAY
from warehouse_graph.exact import held_karp
from warehouse_graph.walk_estimate import (
    batch_walk,
    batch_walks,
    order_walks,
    tour_walk,
    walk_buffers,
)

DIST = DAY.distance_matrix(DAY.location_ids)  # depot 0, location i at i + 1


@settings(max_examples=60, deadline=None)
@given(stops=st.lists(st.integers(1, DAY.num_locations), min_size=1, max_size=8, unique=True))
def test_estimate_is_a_walk_and_exact_up_to_three_stops(stops):
    """No estimate is shorter than the optimal walk; with up to three stops it is the optimum."""
    nodes = np.array(stops, dtype=np.int64)
    _, _, tour = walk_buffers(len(DIST))
    estimate = tour_walk(DIST, nodes, len(nodes), tour)
    optimum = held_karp(DIST[np.ix_([0, *stops], [0, *stops])])[1]
    assert estimate >= optimum - 1e-9
    if len(stops) <= 3:
        assert np.isclose(estimate, optimum)
    assert sorted(tour[: len(stops) + 1].tolist()) == sorted([0, *stops])


def test_a_batch_walks_the_union_of_its_orders_locations():
    """Shared locations are walked once; the walk of one order alone is its own estimate."""
    order_ptr = np.array([0, 2, 4])
    order_loc = np.array([5, 40, 40, 120])
    mark, nodes, tour = walk_buffers(len(DIST))
    both = batch_walk(DIST, order_ptr, order_loc, np.array([0, 1]), 2, mark, nodes, tour)
    union = tour_walk(DIST, np.array([5, 40, 120]), 3, np.empty(8, np.int64))
    assert np.isclose(both, union)
    assert not mark.any()
    solo = order_walks(DIST, order_ptr, order_loc)
    members = np.array([[0, -1], [1, -1], [0, 1]])
    walks = batch_walks(DIST, order_ptr, order_loc, members, np.array([1, 1, 2]))
    assert np.allclose(walks, [solo[0], solo[1], both])
