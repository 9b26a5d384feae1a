"""The exact aisle DP equals brute force (Held–Karp); proven_optimal is never claimed falsely."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warehouse_graph import METHODS, Layout, load_layout, pick_route, rect_layout
from warehouse_graph.exact import finishes_fast, held_karp, optimal_order
from warehouse_graph.routing import tour_length


def _layout(aisles: int, blocks: int, slots: int, depot: str | dict) -> Layout:
    return rect_layout(aisles=aisles, blocks=blocks, slots_per_block=slots, depot=depot)


cases = st.builds(
    lambda aisles, blocks, slots, depot, seed, n: (
        _layout(aisles, blocks, slots, depot if depot != "point" else {"x": 1.5, "y": 0}),
        seed,
        n,
    ),
    st.integers(2, 10),
    st.integers(1, 2),
    st.integers(2, 12),
    st.sampled_from(["front-left", "front-centre", "point"]),
    st.integers(0, 2**31),
    st.integers(1, 12),
)


@settings(max_examples=120, deadline=None)
@given(case=cases)
def test_optimal_equals_held_karp_one_and_two_blocks(case):
    """On random lists of up to 12 picks in 1- and 2-block layouts, optimal == Held–Karp."""
    layout, seed, n = case
    rng = np.random.default_rng(seed)
    locs = list(rng.choice(layout.location_ids, min(n, layout.num_locations), replace=False))
    _, brute = held_karp(layout.distance_matrix(locs))
    route = pick_route(layout, locs, "optimal")
    assert route.proven_optimal
    assert route.length_m == pytest.approx(brute, abs=1e-6)
    assert sorted(route.stops) == sorted(locs)


@settings(max_examples=30, deadline=None)
@given(blocks=st.integers(3, 4), seed=st.integers(0, 2**31), n=st.integers(1, 10))
def test_optimal_equals_held_karp_three_and_four_blocks(blocks, seed, n):
    """The same DP is exact with three and four blocks."""
    layout = _layout(6, blocks, 5, "front-centre")
    rng = np.random.default_rng(seed)
    locs = list(rng.choice(layout.location_ids, n, replace=False))
    assert pick_route(layout, locs, "optimal").length_m == pytest.approx(
        held_karp(layout.distance_matrix(locs))[1], abs=1e-6
    )


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(1, 9), blocks=st.integers(1, 3))
def test_proven_optimal_only_when_optimal(seed, n, blocks):
    """For every method, proven_optimal implies the walk equals the brute-force optimum."""
    layout = _layout(5, blocks, 6, "front-left")
    rng = np.random.default_rng(seed)
    locs = list(rng.choice(layout.location_ids, n, replace=False))
    brute = held_karp(layout.distance_matrix(locs))[1]
    for method in METHODS:
        route = pick_route(layout, locs, method)
        assert route.length_m >= brute - 1e-6
        if route.proven_optimal:
            assert route.length_m == pytest.approx(brute, abs=1e-6)


def test_held_karp_equals_permutations():
    """Held–Karp agrees with trying every order on a small random metric."""
    rng = np.random.default_rng(5)
    pts = rng.uniform(0, 10, (7, 2))
    d = np.abs(pts[:, None] - pts[None]).sum(axis=2)
    best = min(tour_length(d, np.array(p)) for p in itertools.permutations(range(1, 7)))
    order, length = held_karp(d)
    assert length == pytest.approx(best)
    assert tour_length(d, order) == pytest.approx(best)


def test_exact_at_200_picks_is_no_longer_than_any_policy():
    """At 200 picks on two blocks the DP's walk is no longer than any policy's."""
    layout = _layout(20, 2, 25, "front-left")
    locs = list(np.random.default_rng(2).choice(layout.location_ids, 200, replace=False))
    lengths = {m: pick_route(layout, locs, m).length_m for m in METHODS}
    assert lengths["optimal"] == lengths["best"] == min(lengths.values())


def test_optimal_order_is_none_where_no_exact_method_finishes():
    """Beyond Held–Karp's size, six blocks or a general layout have no exact order here."""
    six = _layout(4, 6, 3, "front-left")
    locs = six.location_ids[:17]
    assert optimal_order(six.distances, six.indices(locs), six.distance_matrix(locs)) is None
    assert finishes_fast(six.distances, 12) and not finishes_fast(six.distances, 13)
    floor = load_layout("data/layouts/floor-with-obstacle.json")
    locs = floor.location_ids[:17]
    d = floor.distance_matrix(locs)
    assert optimal_order(floor.distances, floor.indices(locs), d) is None
    assert finishes_fast(floor.distances, 12) and not finishes_fast(floor.distances, 13)
