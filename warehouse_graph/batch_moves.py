"""Improvement moves of order batching: MERGE two carts, SHIFT an order, SWAP two orders.

The SHIFT and SWAP neighbourhoods of Henn & Wäscher (2012), EJOR 222(3), plus MERGE of two whole
carts, with first improvement over each order's nearest orders (Henn, Koch, Doerner, Strauss &
Wäscher 2010, BuR 3(1), use the same moves inside an iterated local search). Why: savings seeds
leave orders on carts that a single move would shorten (docs/picking.md#waves). Dense inputs as
in :mod:`warehouse_graph.walk_estimate`; compiled with numba.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from warehouse_graph.walk_estimate import MIN_SAVING_M, batch_walk, walk_buffers


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
def _walk_without(
    dist, order_ptr, order_loc, members, num, drop, add, buf, mark, nodes, tour
) -> float:
    """Walk of members[:num] with order ``drop`` removed (-1: none) and ``add`` added (-1)."""
    buf[:num] = members[:num]
    n = _replace(buf, num, drop, add)
    return batch_walk(dist, order_ptr, order_loc, buf, n, mark, nodes, tour)


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
    mark, nodes, tour = walk_buffers(n)
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
                if merged < before - MIN_SAVING_M:
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
                if wa + wb < before - MIN_SAVING_M:
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
                if wa + wb < before - MIN_SAVING_M:
                    _replace(members[a], size[a], o, p)
                    _replace(members[b], size[b], p, o)
                    units[a] += up - uo
                    units[b] += uo - up
                    walk[a], walk[b] = wa, wb
                    batch_of[o], batch_of[p] = b, a
                    moves += 1
                    break
    return moves
