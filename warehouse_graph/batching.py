"""Order batching: a node's orders grouped onto picking carts so that the total walk is short.

The order batching problem (de Koster, van der Poort & Wolters 1999, IJPR 37(7); survey in
de Koster, Le-Duc & Roodbergen 2007, EJOR 182(2)): a cart carries at most ``units`` units of at
most ``orders`` orders, and each trip walks from the depot through every location of its orders
and back. :func:`batch_orders` seeds the carts (:mod:`warehouse_graph.batch_seeds`) and improves
them by moves (:mod:`warehouse_graph.batch_moves`), judging each by the walk estimate of
:mod:`warehouse_graph.walk_estimate`. Why and how well: docs/picking.md#waves.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from dom.errors import InvalidInput
from warehouse_graph.batch_moves import improve_pass
from warehouse_graph.batch_seeds import (
    fcfs_batches,
    merge_batches,
    nearest_orders,
    pair_savings,
    savings_batches,
)
from warehouse_graph.walk_estimate import batch_walks, order_walks

SEEDS = ("savings", "fcfs")
_NUM_NEAR = 10  # candidate neighbour orders per order, for savings and moves
_MAX_PASSES = 100
_MAX_MERGE_TABLE = 2000  # batches: above this the [batch, batch] savings table is skipped


@dataclass(frozen=True)
class Cart:
    """What one picking cart carries on a trip: at most ``units`` units of ``orders`` orders."""

    units: int
    orders: int

    def __post_init__(self) -> None:
        for name in ("units", "orders"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidInput(
                    f"cart {name} must be a whole number of at least 1, got {value!r}",
                    column=f"cart_{name}",
                )


@dataclass(frozen=True, eq=False)
class Batching:
    """Orders grouped into waves, judged by the walk estimate."""

    wave_of: np.ndarray  # int64 [order]: wave 0..num_waves-1, numbered by their first order
    walk_estimate: np.ndarray  # float64 [wave], metres
    stats: dict[str, float | int] = field(default_factory=dict)

    @property
    def num_waves(self) -> int:
        return len(self.walk_estimate)


def _relabel(batch_of: np.ndarray) -> np.ndarray:
    """Batch labels renumbered 0.. in order of each batch's first order."""
    _, first, inverse = np.unique(batch_of, return_index=True, return_inverse=True)
    rank = np.empty(len(first), np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[inverse]


def batch_orders(
    dist: np.ndarray,
    order_ptr: np.ndarray,
    order_loc: np.ndarray,
    order_units: np.ndarray,
    cart: Cart,
    *,
    seed: str = "savings",
    improve: bool = True,
    time_limit: float | None = None,
) -> Batching:
    """Group orders into waves (see module): seed, then SHIFT/SWAP until no move helps or the
    time limit (seconds) is reached.

    ``dist[v, w]``: metres between locations, depot at 0; order ``o`` picks the distinct
    locations ``order_loc[order_ptr[o]:order_ptr[o + 1]]`` (each >= 1) and ``order_units[o]``
    units. An order with more units than the cart holds travels alone.
    """
    if seed not in SEEDS:
        raise InvalidInput(f"unknown seed '{seed}'", fix=f"use one of {', '.join(SEEDS)}")
    start = time.perf_counter()
    dist = np.ascontiguousarray(dist, dtype=np.float64)
    order_ptr = np.asarray(order_ptr, dtype=np.int64)
    order_loc = np.asarray(order_loc, dtype=np.int64)
    order_units = np.asarray(order_units, dtype=np.int64)
    num_orders = len(order_units)
    cap_orders = min(cart.orders, max(num_orders, 1))
    near = nearest_orders(dist, order_ptr, order_loc, min(_NUM_NEAR, num_orders))
    solo = order_walks(dist, order_ptr, order_loc)
    if seed == "savings":
        first, second, saving = pair_savings(dist, order_ptr, order_loc, solo, near)
        ranked = np.lexsort((second, first, -saving))
        batch_of = savings_batches(
            num_orders, order_units, first[ranked], second[ranked], cart.units, cap_orders
        )
    else:
        batch_of = fcfs_batches(order_units, cart.units, cap_orders)
    batch_of = _relabel(batch_of)
    num_batches = int(batch_of.max()) + 1 if num_orders else 0
    members = np.full((num_batches, cap_orders), -1, np.int64)
    size = np.zeros(num_batches, np.int64)
    for o, b in enumerate(batch_of.tolist()):
        members[b, size[b]] = o
        size[b] += 1
    units = np.bincount(batch_of, weights=order_units, minlength=num_batches).astype(np.int64)
    walk = batch_walks(dist, order_ptr, order_loc, members, size)
    state = (dist, order_ptr, order_loc, batch_of, members, size, units, walk)
    merges = 0
    if seed == "savings" and num_batches <= _MAX_MERGE_TABLE:
        merges += merge_batches(*state, cart.units, cap_orders)
    seed_walk = float(walk.sum())
    passes = moves = 0
    while improve and passes < _MAX_PASSES:
        if time_limit is not None and time.perf_counter() - start > time_limit:
            break
        made = improve_pass(
            dist, order_ptr, order_loc, order_units, near, batch_of, members, size, units, walk,
            cart.units, cap_orders,
        )  # fmt: skip
        passes += 1
        moves += made
        if not made:
            if num_batches > _MAX_MERGE_TABLE:
                break
            merged = merge_batches(*state, cart.units, cap_orders)
            merges += merged
            if not merged:
                break
    wave_of = _relabel(batch_of)
    used = np.flatnonzero(size > 0)
    wave_walk = np.empty(len(used))
    wave_walk[wave_of[members[used, 0]]] = walk[used]
    return Batching(
        wave_of=wave_of,
        walk_estimate=wave_walk,
        stats={
            "solo_estimate_m": float(solo.sum()),
            "seed_estimate_m": seed_walk,
            "estimate_m": float(wave_walk.sum()),
            "passes": passes,
            "moves": moves,
            "merges": merges,
            "oversize_orders": int(np.sum(order_units > cart.units)),
            "batching_seconds": time.perf_counter() - start,
        },
    )
