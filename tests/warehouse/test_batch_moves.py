"""Batching moves: a sweep of MERGE, SHIFT and SWAP keeps the carts whole and never lengthens."""

from __future__ import annotations

import numpy as np

from tests.warehouse.plans import DAY
from warehouse_graph.batch_moves import improve_pass
from warehouse_graph.batch_seeds import fcfs_batches, nearest_orders
from warehouse_graph.walk_estimate import batch_walks

DIST = DAY.distance_matrix(DAY.location_ids)  # depot 0, location i at i + 1


def test_a_sweep_keeps_the_carts_consistent_and_shortens_them():
    """After each sweep: every order on one cart, the state agrees, the estimate only drops."""
    rng = np.random.default_rng(9)
    sizes = rng.integers(1, 4, 80)
    order_ptr = np.concatenate(([0], np.cumsum(sizes)))
    order_loc = np.concatenate(
        [rng.choice(np.arange(1, DAY.num_locations + 1), k, replace=False) for k in sizes]
    )
    order_units = rng.integers(1, 6, 80)
    cap_units, cap_orders = 15, 6
    batch_of = fcfs_batches(order_units, cap_units, cap_orders)
    num = int(batch_of.max()) + 1
    members = np.full((num, cap_orders), -1, np.int64)
    size = np.zeros(num, np.int64)
    for o, b in enumerate(batch_of.tolist()):
        members[b, size[b]] = o
        size[b] += 1
    units = np.bincount(batch_of, weights=order_units).astype(np.int64)
    walk = batch_walks(DIST, order_ptr, order_loc, members, size)
    near = nearest_orders(DIST, order_ptr, order_loc, 10)
    total = walk.sum()
    for _ in range(5):
        moves = improve_pass(
            DIST, order_ptr, order_loc, order_units, near, batch_of, members, size, units, walk,
            cap_units, cap_orders,
        )  # fmt: skip
        assert walk.sum() <= total + 1e-9
        total = walk.sum()
        assert np.all(size <= cap_orders) and np.all(units <= cap_units)
        for b in np.flatnonzero(size):
            mine = members[b, : size[b]]
            assert np.all(batch_of[mine] == b)
            assert units[b] == order_units[mine].sum()
        assert np.allclose(walk, batch_walks(DIST, order_ptr, order_loc, members, size))
        if not moves:
            break
