"""Order batching kernels: a fast walk estimate, savings seed and SHIFT/SWAP local search.

Everything here works on dense integers: location ``v`` is row/column ``v`` of a distance matrix
``dist[v, w]`` (metres, depot at 0), order ``o`` picks the locations
``order_loc[order_ptr[o]:order_ptr[o + 1]]``. The kernels are compiled with numba; no Python
object is touched inside a loop.

- Walk estimate: farthest insertion, then 2-opt and Or-opt (segments of 1-3 stops, both
  orientations) to a local optimum. It is within a few per cent of the optimal walk on the small
  sets of one cart and takes microseconds, so the search can afford thousands of evaluations;
  the final waves are routed by the routing core.
- Seed: the Clarke-Wright savings algorithm adapted to order batching (de Koster, van der Poort
  & Wolters (1999), "Efficient orderbatching methods in warehouses", IJPR 37(7)). CW(i):
  merge the batches of the order pairs with the largest saving ``walk(i) + walk(j) -
  walk(i + j)`` while the cart allows, savings evaluated for each order's nearest orders only
  (nearest by the closest pair of their locations); then CW(ii) on whole batches: merge the
  pair of batches with the largest saving, re-evaluating only the merged batch, until no pair
  fits or saves.
- Improvement: the SHIFT and SWAP neighbourhoods of Henn & Wäscher (2012), "Tabu search
  heuristics for the order batching problem in picker-to-parts systems", EJOR 222(3),
  plus MERGE of two whole batches, with first improvement over each order's nearest orders
  (Henn, Koch, Doerner, Strauss & Wäscher (2010), "Metaheuristics for the order batching
  problem in manual order picking systems", BuR 3(1), use the same moves inside an iterated
  local search); CW(ii) merges again whenever a sweep finds nothing.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_EPS = 1e-6  # metres: a move must save more than this to count


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
    mark = np.zeros(n, np.bool_)
    nodes = np.empty(n, np.int64)
    tour = np.empty(2 * n + 2, np.int64)
    members = np.empty(1, np.int64)
    walk = np.empty(num_orders)
    for o in range(num_orders):
        members[0] = o
        walk[o] = batch_walk(dist, order_ptr, order_loc, members, 1, mark, nodes, tour)
    return walk


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
    mark = np.zeros(n, np.bool_)
    nodes = np.empty(n, np.int64)
    tour = np.empty(2 * n + 2, np.int64)
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
def _walk_without(
    dist, order_ptr, order_loc, members, num, drop, add, buf, mark, nodes, tour
) -> float:
    """Walk of members[:num] with order ``drop`` removed (-1: none) and ``add`` added (-1)."""
    n = 0
    for m in range(num):
        if members[m] != drop:
            buf[n] = members[m]
            n += 1
    if add >= 0:
        buf[n] = add
        n += 1
    return batch_walk(dist, order_ptr, order_loc, buf, n, mark, nodes, tour)


@njit(cache=True)
def _replace(members: np.ndarray, num: int, old: int, new: int) -> int:
    """Remove ``old`` from members[:num] (-1: none), append ``new`` (-1: none); new count."""
    n = 0
    for m in range(num):
        if members[m] != old:
            members[n] = members[m]
            n += 1
    if new >= 0:
        members[n] = new
        n += 1
    return n


@njit(cache=True)
def improve_pass(
    dist: np.ndarray,
    order_ptr: np.ndarray,
    order_loc: np.ndarray,
    order_units: np.ndarray,
    near: np.ndarray,
    batch_of: np.ndarray,
    members: np.ndarray,
    size: np.ndarray,
    units: np.ndarray,
    walk: np.ndarray,
    cap_units: int,
    cap_orders: int,
) -> int:
    """One sweep of first-improvement moves over every order, towards the batches of its near
    orders: MERGE the two batches, SHIFT the order, SWAP it with the near order. Updates the
    batch state in place; returns the moves made.

    State per batch b: ``members[b, :size[b]]``, ``units[b]``, estimated ``walk[b]``.
    """
    n = dist.shape[0]
    mark = np.zeros(n, np.bool_)
    nodes = np.empty(n, np.int64)
    tour = np.empty(2 * n + 2, np.int64)
    buf = np.empty(2 * cap_orders + 1, np.int64)
    moves = 0
    for o in range(len(batch_of)):
        uo = order_units[o]
        if uo > cap_units:
            continue  # an order larger than the cart travels alone
        for r in range(near.shape[1]):
            p = near[o, r]
            if p < 0:
                break
            a, b = batch_of[o], batch_of[p]
            if a == b:
                continue
            before = walk[a] + walk[b]
            if size[a] + size[b] <= cap_orders and units[a] + units[b] <= cap_units:
                for m in range(size[a]):
                    buf[size[b] + m] = members[a, m]
                buf[: size[b]] = members[b, : size[b]]
                merged = batch_walk(
                    dist, order_ptr, order_loc, buf, size[a] + size[b], mark, nodes, tour
                )
                if merged < before - _EPS:
                    for m in range(size[a]):
                        batch_of[members[a, m]] = b
                    members[b, : size[a] + size[b]] = buf[: size[a] + size[b]]
                    size[b] += size[a]
                    units[b] += units[a]
                    size[a], units[a], walk[a], walk[b] = 0, 0, 0.0, merged
                    moves += 1
                    break
            if size[b] < cap_orders and units[b] + uo <= cap_units:
                wa = _walk_without(
                    dist, order_ptr, order_loc, members[a], size[a], o, -1, buf, mark, nodes, tour
                )
                wb = _walk_without(
                    dist, order_ptr, order_loc, members[b], size[b], -1, o, buf, mark, nodes, tour
                )
                if wa + wb < before - _EPS:
                    size[a] = _replace(members[a], size[a], o, -1)
                    size[b] = _replace(members[b], size[b], -1, o)
                    units[a] -= uo
                    units[b] += uo
                    walk[a], walk[b] = wa, wb
                    batch_of[o] = b
                    moves += 1
                    break
            up = order_units[p]
            if units[a] - uo + up <= cap_units and units[b] - up + uo <= cap_units:
                wa = _walk_without(
                    dist, order_ptr, order_loc, members[a], size[a], o, p, buf, mark, nodes, tour
                )
                wb = _walk_without(
                    dist, order_ptr, order_loc, members[b], size[b], p, o, buf, mark, nodes, tour
                )
                if wa + wb < before - _EPS:
                    _replace(members[a], size[a], o, p)
                    _replace(members[b], size[b], p, o)
                    units[a] += up - uo
                    units[b] += uo - up
                    walk[a], walk[b] = wa, wb
                    batch_of[o], batch_of[p] = b, a
                    moves += 1
                    break
    return moves


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
    mark = np.zeros(n, np.bool_)
    nodes = np.empty(n, np.int64)
    tour = np.empty(2 * n + 2, np.int64)
    walk = np.empty(len(size))
    for b in range(len(size)):
        walk[b] = batch_walk(dist, order_ptr, order_loc, members[b], size[b], mark, nodes, tour)
    return walk


@njit(cache=True)
def _merge_gain(
    dist, order_ptr, order_loc, members, size, units, walk, a, b, cap_units, cap_orders, bufs
) -> float:
    """Walk saved by putting batches a and b on one cart; -inf when they do not fit."""
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
    bufs = (
        np.empty(2 * cap_orders, np.int64),
        np.zeros(n, np.bool_),
        np.empty(n, np.int64),
        np.empty(2 * n + 2, np.int64),
    )
    gain = np.full((num, num), -np.inf)
    for a in range(num):
        for b in range(a + 1, num):
            gain[a, b] = _merge_gain(
                dist,
                order_ptr,
                order_loc,
                members,
                size,
                units,
                walk,
                a,
                b,
                cap_units,
                cap_orders,
                bufs,
            )
    merges = 0
    while True:
        best = np.argmax(gain)
        a, b = int(best // num), int(best % num)
        if not gain[a, b] > _EPS:
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
        for c in range(num):
            g = _merge_gain(
                dist,
                order_ptr,
                order_loc,
                members,
                size,
                units,
                walk,
                a,
                c,
                cap_units,
                cap_orders,
                bufs,
            )
            if c < a:
                gain[c, a] = g
            elif c > a:
                gain[a, c] = g
        merges += 1
    return merges
