"""Seeds of order batching: first come first served, and Clarke–Wright savings.

The savings algorithm adapted to order batching by de Koster, van der Poort & Wolters (1999),
IJPR 37(7): CW(i) merges the carts of the order pairs with the largest saving ``walk(i) +
walk(j) - walk(i + j)`` while the cart allows (savings of each order's nearest orders only),
then CW(ii) merges whole carts by the largest saving. Why: a seed close to the final waves, so the
moves of :mod:`warehouse_graph.batch_moves` have little left to do (docs/picking.md#waves).
Dense inputs as in :mod:`warehouse_graph.walk_estimate`; compiled with numba.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from warehouse_graph.walk_estimate import MIN_SAVING_M, batch_walk, walk_buffers


@njit(cache=True)
def nearest_orders(
    dist: np.ndarray, order_ptr: np.ndarray, order_loc: np.ndarray, num_near: int
) -> np.ndarray:
    """``near[order, r]``: the ``num_near`` orders whose locations come closest to the order's
    (closest pair of locations; ties by order index), -1 where there are fewer orders."""
    num_orders = len(order_ptr) - 1
    near = np.full((num_orders, num_near), -1, np.int64)
    gap = np.empty(num_orders)
    for i in range(num_orders):
        reach = dist[order_loc[order_ptr[i]]].copy()  # reach[v]: closest location of i to v
        for t in range(order_ptr[i] + 1, order_ptr[i + 1]):
            reach = np.minimum(reach, dist[order_loc[t]])
        for j in range(num_orders):
            best = np.inf
            for t in range(order_ptr[j], order_ptr[j + 1]):
                best = min(best, reach[order_loc[t]])
            gap[j] = best
        gap[i] = np.inf
        ranked = np.argsort(gap, kind="mergesort")
        for r in range(min(num_near, num_orders - 1)):
            near[i, r] = ranked[r]
    return near


@njit(cache=True)
def pair_savings(
    dist: np.ndarray,
    order_ptr: np.ndarray,
    order_loc: np.ndarray,
    solo: np.ndarray,
    near: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Savings ``solo[i] + solo[j] - walk(i + j)`` for each pair (i < j) with j near i or i
    near j, as arrays (first, second, saving)."""
    n = dist.shape[0]
    num_orders, num_near = near.shape
    first = np.empty(num_orders * num_near, np.int64)
    second = np.empty(num_orders * num_near, np.int64)
    count = 0
    for i in range(num_orders):
        for r in range(num_near):
            j = near[i, r]
            if j < 0:
                continue
            a, b = min(i, j), max(i, j)
            first[count], second[count] = a, b
            count += 1
    key = first[:count] * num_orders + second[:count]
    ranked = np.argsort(key, kind="mergesort")
    keep = np.ones(count, np.bool_)
    for q in range(1, count):
        keep[q] = key[ranked[q]] != key[ranked[q - 1]]
    first, second = first[:count][ranked[keep]], second[:count][ranked[keep]]
    saving = np.empty(len(first))
    mark, nodes, tour = walk_buffers(n)
    members = np.empty(2, np.int64)
    for p in range(len(first)):
        members[0], members[1] = first[p], second[p]
        both = batch_walk(dist, order_ptr, order_loc, members, 2, mark, nodes, tour)
        saving[p] = solo[first[p]] + solo[second[p]] - both
    return first, second, saving


@njit(cache=True)
def savings_batches(
    num_orders: int,
    order_units: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    cap_units: int,
    cap_orders: int,
) -> np.ndarray:
    """CW(i): walk the pairs in the given order (largest saving first) and merge the two
    batches whenever the merged batch fits the cart. Returns ``batch_of[order]`` (roots)."""
    parent = np.arange(num_orders)
    size = np.ones(num_orders, np.int64)
    units = order_units.copy()
    for p in range(len(first)):
        a, b = first[p], second[p]
        while parent[a] != a:
            a = parent[a]
        while parent[b] != b:
            b = parent[b]
        if a == b or size[a] + size[b] > cap_orders or units[a] + units[b] > cap_units:
            continue
        lo, hi = min(a, b), max(a, b)
        parent[hi] = lo
        size[lo] += size[hi]
        units[lo] += units[hi]
    batch_of = np.empty(num_orders, np.int64)
    for o in range(num_orders):
        r = o
        while parent[r] != r:
            r = parent[r]
        batch_of[o] = r
    return batch_of


@njit(cache=True)
def fcfs_batches(order_units: np.ndarray, cap_units: int, cap_orders: int) -> np.ndarray:
    """First come, first served: orders in plan order fill one cart after another."""
    batch_of = np.empty(len(order_units), np.int64)
    batch, size, units = 0, 0, 0
    for o in range(len(order_units)):
        if size > 0 and (size + 1 > cap_orders or units + order_units[o] > cap_units):
            batch, size, units = batch + 1, 0, 0
        batch_of[o] = batch
        size += 1
        units += order_units[o]
    return batch_of


@njit(cache=True)
def _merge_gain(state, a, b, cap_units, cap_orders, bufs) -> float:
    """Walk saved by putting batches a and b on one cart; -inf when they do not fit.

    ``state`` is ``(dist, order_ptr, order_loc, members, size, units, walk)``.
    """
    dist, order_ptr, order_loc, members, size, units, walk = state
    if a == b or size[a] == 0 or size[b] == 0:
        return -np.inf
    if size[a] + size[b] > cap_orders or units[a] + units[b] > cap_units:
        return -np.inf
    buf, mark, nodes, tour = bufs
    buf[: size[a]] = members[a, : size[a]]
    buf[size[a] : size[a] + size[b]] = members[b, : size[b]]
    merged = batch_walk(dist, order_ptr, order_loc, buf, size[a] + size[b], mark, nodes, tour)
    return walk[a] + walk[b] - merged


@njit(cache=True)
def _gain_row(state, a, first, cap_units, cap_orders, bufs, gain) -> None:
    """Savings of batch a with every batch c >= ``first``, into the upper triangle of ``gain``."""
    for c in range(first, gain.shape[0]):
        g = _merge_gain(state, a, c, cap_units, cap_orders, bufs)
        if c < a:
            gain[c, a] = g
        elif c > a:
            gain[a, c] = g


@njit(cache=True)
def merge_batches(
    dist: np.ndarray,
    order_ptr: np.ndarray,
    order_loc: np.ndarray,
    batch_of: np.ndarray,
    members: np.ndarray,
    size: np.ndarray,
    units: np.ndarray,
    walk: np.ndarray,
    cap_units: int,
    cap_orders: int,
) -> int:
    """CW(ii) on whole batches (de Koster et al. 1999): repeatedly put the two batches
    with the largest saving on one cart while any pair fits and saves. In place; returns the
    merges made. Savings are kept in a [batch, batch] table, so only the merged batch's row is
    re-evaluated after a merge."""
    n = dist.shape[0]
    num = len(size)
    mark, nodes, tour = walk_buffers(n)
    bufs = (np.empty(2 * cap_orders, np.int64), mark, nodes, tour)
    state = (dist, order_ptr, order_loc, members, size, units, walk)
    gain = np.full((num, num), -np.inf)
    for a in range(num):
        _gain_row(state, a, a + 1, cap_units, cap_orders, bufs, gain)
    merges = 0
    while True:
        best = np.argmax(gain)
        a, b = int(best // num), int(best % num)
        if not gain[a, b] > MIN_SAVING_M:
            break
        saved = gain[a, b]
        for m in range(size[b]):
            members[a, size[a] + m] = members[b, m]
            batch_of[members[b, m]] = a
        size[a] += size[b]
        units[a] += units[b]
        walk[a] = walk[a] + walk[b] - saved
        size[b], units[b], walk[b] = 0, 0, 0.0
        gain[b, :] = -np.inf
        gain[:, b] = -np.inf
        _gain_row(state, a, 0, cap_units, cap_orders, bufs, gain)
        merges += 1
    return merges
