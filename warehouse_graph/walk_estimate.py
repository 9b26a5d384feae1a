"""The fast walk estimate of order batching: one cart's walk through a set of locations.

Farthest insertion, then 2-opt and Or-opt (segments of 1-3 stops, both orientations) to a local
optimum. Why: the batching search judges thousands of candidate carts, so it needs a walk that is
close to the routed one at a tiny fraction of its cost; the final waves are routed by
:func:`warehouse_graph.pick_route` (docs/picking.md#waves).

Everything here works on dense integers: location ``v`` is row/column ``v`` of a distance matrix
``dist[v, w]`` (metres, depot at 0), order ``o`` picks the locations
``order_loc[order_ptr[o]:order_ptr[o + 1]]``. The kernels are compiled with numba.
"""

from __future__ import annotations

import numpy as np
from numba import njit

MIN_SAVING_M = 1e-6  # metres: a seed merge or a move must save more than this to count


@njit(cache=True)
def walk_buffers(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scratch ``(mark, nodes, tour)`` of :func:`batch_walk` for a distance matrix of n points."""
    return np.zeros(n, np.bool_), np.empty(n, np.int64), np.empty(2 * n + 2, np.int64)


@njit(cache=True)
def _cycle_length(dist: np.ndarray, tour: np.ndarray, k: int) -> float:
    total = 0.0
    for i in range(k):
        total += dist[tour[i], tour[(i + 1) % k]]
    return total


@njit(cache=True)
def _two_opt(dist: np.ndarray, tour: np.ndarray, k: int) -> bool:
    """One sweep of 2-opt moves on tour[:k] (position 0, the depot, stays put)."""
    improved = False
    for i in range(k - 2):
        for j in range(i + 2, k):
            if i == 0 and j == k - 1:
                continue  # the two edges touch the depot from both sides
            a, b = tour[i], tour[i + 1]
            c, d = tour[j], tour[(j + 1) % k]
            if dist[a, c] + dist[b, d] - dist[a, b] - dist[c, d] < -1e-9:
                lo, hi = i + 1, j
                while lo < hi:
                    tour[lo], tour[hi] = tour[hi], tour[lo]
                    lo += 1
                    hi -= 1
                improved = True
    return improved


@njit(cache=True)
def _or_opt(dist: np.ndarray, tour: np.ndarray, k: int, scratch: np.ndarray) -> bool:
    """One sweep of Or-opt moves: a segment of 1-3 stops goes elsewhere, either way round."""
    improved = False
    for seg in range(1, 4):
        s = 1
        while s + seg - 1 <= k - 1:
            e = s + seg - 1
            prev, nxt = tour[s - 1], tour[(e + 1) % k]
            first, last = tour[s], tour[e]
            removal = dist[prev, first] + dist[last, nxt] - dist[prev, nxt]
            best_delta, best_p, best_rev = -1e-9, -1, False
            for p in range(k):
                if s - 1 <= p <= e:
                    continue
                u, w = tour[p], tour[(p + 1) % k]
                fwd = dist[u, first] + dist[last, w] - dist[u, w] - removal
                rev = dist[u, last] + dist[first, w] - dist[u, w] - removal
                if fwd < best_delta:
                    best_delta, best_p, best_rev = fwd, p, False
                if rev < best_delta:
                    best_delta, best_p, best_rev = rev, p, True
            if best_p >= 0:
                # rebuild: the tour without the segment, with it re-inserted after tour[best_p]
                n = 0
                for q in range(k):
                    if s <= q <= e:
                        continue
                    scratch[n] = tour[q]
                    n += 1
                    if q == best_p:
                        for r in range(seg):
                            scratch[n] = tour[e - r] if best_rev else tour[s + r]
                            n += 1
                tour[:k] = scratch[:k]
                improved = True
            s += 1
    return improved


@njit(cache=True)
def tour_walk(dist: np.ndarray, nodes: np.ndarray, num: int, tour: np.ndarray) -> float:
    """Estimated walk from the depot through ``nodes[:num]`` (distinct, not 0) and back.

    ``tour`` is a buffer of at least ``2 * (num + 1)`` ints; ``tour[:num + 1]`` holds the tour.
    """
    if num == 0:
        return 0.0
    k = num + 1
    order = np.argsort(-dist[0, nodes[:num]], kind="mergesort")
    tour[0] = 0
    size = 1
    for idx in order:
        v = nodes[idx]
        best_p, best_add = 0, np.inf
        for p in range(size):
            u, w = tour[p], tour[(p + 1) % size]
            add = dist[u, v] + dist[v, w] - dist[u, w]
            if add < best_add:
                best_add, best_p = add, p
        for q in range(size, best_p + 1, -1):
            tour[q] = tour[q - 1]
        tour[best_p + 1] = v
        size += 1
    scratch = tour[k : 2 * k]
    for _ in range(100):
        a = _two_opt(dist, tour, k)
        b = _or_opt(dist, tour, k, scratch)
        if not (a or b):
            break
    return _cycle_length(dist, tour, k)


@njit(cache=True)
def batch_walk(
    dist: np.ndarray,
    order_ptr: np.ndarray,
    order_loc: np.ndarray,
    members: np.ndarray,
    num_members: int,
    mark: np.ndarray,
    nodes: np.ndarray,
    tour: np.ndarray,
) -> float:
    """Estimated walk of one cart picking the orders ``members[:num_members]``.

    ``mark`` (bool, all False on entry and exit), ``nodes`` and ``tour`` are scratch buffers
    sized by the distance matrix.
    """
    num = 0
    for m in range(num_members):
        o = members[m]
        for t in range(order_ptr[o], order_ptr[o + 1]):
            v = order_loc[t]
            if not mark[v]:
                mark[v] = True
                nodes[num] = v
                num += 1
    for i in range(num):
        mark[nodes[i]] = False
    return tour_walk(dist, nodes, num, tour)


@njit(cache=True)
def order_walks(dist: np.ndarray, order_ptr: np.ndarray, order_loc: np.ndarray) -> np.ndarray:
    """Estimated walk of each order alone, ``walk[order]``."""
    n = dist.shape[0]
    num_orders = len(order_ptr) - 1
    mark, nodes, tour = walk_buffers(n)
    members = np.empty(1, np.int64)
    walk = np.empty(num_orders)
    for o in range(num_orders):
        members[0] = o
        walk[o] = batch_walk(dist, order_ptr, order_loc, members, 1, mark, nodes, tour)
    return walk


@njit(cache=True)
def batch_walks(
    dist: np.ndarray,
    order_ptr: np.ndarray,
    order_loc: np.ndarray,
    members: np.ndarray,
    size: np.ndarray,
) -> np.ndarray:
    """Estimated walk of every batch, ``walk[batch]`` for ``members[batch, :size[batch]]``."""
    n = dist.shape[0]
    mark, nodes, tour = walk_buffers(n)
    walk = np.empty(len(size))
    for b in range(len(size)):
        walk[b] = batch_walk(dist, order_ptr, order_loc, members[b], size[b], mark, nodes, tour)
    return walk
