"""Batching seeds: first come first served, CW(i) savings merges and CW(ii) cart merges."""

from __future__ import annotations

import numpy as np

from tests.warehouse.plans import DAY
from warehouse_graph.batch_seeds import (
    fcfs_batches,
    merge_batches,
    nearest_orders,
    pair_savings,
    savings_batches,
)
from warehouse_graph.walk_estimate import batch_walks, order_walks

DIST = DAY.distance_matrix(DAY.location_ids)  # depot 0, location i at i + 1


def _orders(seed: int, num: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 4, num)
    order_ptr = np.concatenate(([0], np.cumsum(sizes)))
    order_loc = np.concatenate(
        [rng.choice(np.arange(1, DAY.num_locations + 1), k, replace=False) for k in sizes]
    )
    return order_ptr, order_loc, rng.integers(1, 6, num)


def test_fcfs_fills_one_cart_after_another():
    """Orders in plan order fill a cart until the next would not fit."""
    batch_of = fcfs_batches(np.array([3, 3, 5, 1, 9, 1]), 6, 2)
    assert batch_of.tolist() == [0, 0, 1, 1, 2, 3]


def test_nearest_orders_rank_by_the_closest_pair_of_locations():
    """An order's nearest orders come first, itself never, -1 where there are too few."""
    order_ptr = np.array([0, 1, 2, 3])
    order_loc = np.array([1, 2, 200])  # A01-B1-S01, A01-B1-S02 and the far corner
    near = nearest_orders(DIST, order_ptr, order_loc, 3)
    assert near[0].tolist() == [1, 2, -1]
    assert near[2].tolist() == [1, 0, -1]


def test_savings_merges_fit_the_cart_and_save():
    """CW(i) batches fit the cart; CW(ii) merges only what saves and keeps the cart."""
    order_ptr, order_loc, units = _orders(4, 60)
    solo = order_walks(DIST, order_ptr, order_loc)
    near = nearest_orders(DIST, order_ptr, order_loc, 10)
    first, second, saving = pair_savings(DIST, order_ptr, order_loc, solo, near)
    assert np.all(first < second)
    ranked = np.lexsort((second, first, -saving))
    batch_of = savings_batches(len(units), units, first[ranked], second[ranked], 12, 5)
    roots = np.unique(batch_of)
    assert np.all(np.bincount(batch_of) <= 5)
    assert np.all(np.bincount(batch_of, weights=units) <= 12)
    label = np.searchsorted(roots, batch_of)
    members = np.full((len(roots), 5), -1, np.int64)
    size = np.zeros(len(roots), np.int64)
    for o, b in enumerate(label.tolist()):
        members[b, size[b]] = o
        size[b] += 1
    walk = batch_walks(DIST, order_ptr, order_loc, members, size)
    before = walk.sum()
    cart_units = np.bincount(label, weights=units).astype(np.int64)
    merges = merge_batches(
        DIST, order_ptr, order_loc, label, members, size, cart_units, walk, 12, 5
    )
    assert merges >= 0 and walk.sum() <= before + 1e-9
    assert np.all(size <= 5) and np.all(cart_units <= 12)
    assert np.all(np.bincount(label, minlength=len(size)) == size)
