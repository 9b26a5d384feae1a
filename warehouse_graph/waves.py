"""Pick waves: a node's pick lists grouped into cart trips so that the total walk is short.

The order batching problem (de Koster, van der Poort & Wolters 1999, IJPR 37(7); survey in
de Koster, Le-Duc & Roodbergen 2007, EJOR 182(2)): a cart carries at most ``units`` units of
at most ``orders`` orders; each cart trip (a wave) walks from the depot through every location
of its orders and back. We seed the waves with Clarke-Wright savings, CW(i) on order pairs and
then CW(ii) on whole batches (de Koster et al. 1999), and improve them with SHIFT and SWAP
moves of orders between waves (Henn & Wäscher 2012, EJOR 222(3)) and merges of waves,
judging every move by a fast walk estimate on the routing core's distance
matrix (:mod:`warehouse_graph._batching`). The final waves, and every order alone (the baseline
of one trip per order), are routed by the routing core's :func:`pick_route` (``best`` by default),
so the reported walks and the saving are those of real routes.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dom.errors import InvalidInput
from warehouse_graph import _batching
from warehouse_graph.picklists import PickLists
from warehouse_graph.routing import METHODS, Route, pick_route

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
    near = _batching.nearest_orders(dist, order_ptr, order_loc, min(_NUM_NEAR, num_orders))
    solo = _batching.order_walks(dist, order_ptr, order_loc)
    if seed == "savings":
        first, second, saving = _batching.pair_savings(dist, order_ptr, order_loc, solo, near)
        ranked = np.lexsort((second, first, -saving))
        batch_of = _batching.savings_batches(
            num_orders, order_units, first[ranked], second[ranked], cart.units, cap_orders
        )
    else:
        batch_of = _batching.fcfs_batches(order_units, cart.units, cap_orders)
    batch_of = _relabel(batch_of)
    num_batches = int(batch_of.max()) + 1 if num_orders else 0
    members = np.full((num_batches, cap_orders), -1, np.int64)
    size = np.zeros(num_batches, np.int64)
    for o, b in enumerate(batch_of.tolist()):
        members[b, size[b]] = o
        size[b] += 1
    units = np.bincount(batch_of, weights=order_units, minlength=num_batches).astype(np.int64)
    walk = _batching.batch_walks(dist, order_ptr, order_loc, members, size)
    state = (dist, order_ptr, order_loc, batch_of, members, size, units, walk)
    merges = 0
    if seed == "savings" and num_batches <= _MAX_MERGE_TABLE:
        merges += _batching.merge_batches(*state, cart.units, cap_orders)
    seed_walk = float(walk.sum())
    passes = moves = 0
    while improve and passes < _MAX_PASSES:
        if time_limit is not None and time.perf_counter() - start > time_limit:
            break
        made = _batching.improve_pass(
            dist, order_ptr, order_loc, order_units, near, batch_of, members, size, units, walk,
            cart.units, cap_orders,
        )  # fmt: skip
        passes += 1
        moves += made
        if not made:
            if num_batches > _MAX_MERGE_TABLE:
                break
            merged = _batching.merge_batches(*state, cart.units, cap_orders)
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


@dataclass(frozen=True, eq=False)
class WavePlan:
    """The waves of one node with their routes, and each order's own route for comparison."""

    pick_lists: PickLists
    cart: Cart
    method: str
    wave_of: np.ndarray  # int64 [list]: wave of each pick list
    routes: list[Route]  # [wave]
    solo_routes: list[Route]  # [list]: the list walked alone
    stats: dict[str, float | int] = field(default_factory=dict)

    @property
    def num_waves(self) -> int:
        return len(self.routes)

    @property
    def wave_ids(self) -> list[str]:
        width = max(3, len(str(self.num_waves)))
        return [f"W{w + 1:0{width}d}" for w in range(self.num_waves)]

    @property
    def total_walk_m(self) -> float:
        return float(sum(r.length_m for r in self.routes))

    @property
    def solo_walk_m(self) -> float:
        return float(sum(r.length_m for r in self.solo_routes))

    @property
    def saving(self) -> float:
        """Walk saved against one trip per order, as a fraction of that walk."""
        return 1.0 - self.total_walk_m / self.solo_walk_m if self.solo_walk_m > 0 else 0.0

    def summary(self) -> str:
        """One line for people."""
        return (
            f"{self.pick_lists.node}: {self.pick_lists.num_lists} orders in {self.num_waves} "
            f"waves, walk {self.total_walk_m:,.1f} m vs {self.solo_walk_m:,.1f} m one trip per "
            f"order ({self.saving:.1%} saved)"
        )

    def waves_table(self) -> pd.DataFrame:
        """One row per wave: its orders, units, locations and walks."""
        lists = self.pick_lists
        solo = np.array([r.length_m for r in self.solo_routes])
        n = self.num_waves
        solo_m = np.bincount(self.wave_of, weights=solo, minlength=n)
        return pd.DataFrame(
            {
                "wave_id": self.wave_ids,
                "num_orders": np.bincount(self.wave_of, minlength=n),
                "units": np.bincount(self.wave_of, weights=lists.units, minlength=n).astype(int),
                "num_locations": [len(r.stops) for r in self.routes],
                "length_m": [round(r.length_m, 6) for r in self.routes],
                "solo_length_m": np.round(solo_m, 6),
                "proven_optimal": [r.proven_optimal for r in self.routes],
            }
        )

    def orders_table(self) -> pd.DataFrame:
        """One row per pick list: its wave and its walk alone."""
        lists = self.pick_lists
        ids = np.array(self.wave_ids, dtype=str)
        return pd.DataFrame(
            {
                "shipment_id": lists.shipment_id,
                "order_id": lists.order_id,
                "wave_id": ids[self.wave_of] if len(ids) else lists.shipment_id[:0],
                "units": lists.units,
                "num_locations": [len(r.stops) for r in self.solo_routes],
                "solo_length_m": [round(r.length_m, 6) for r in self.solo_routes],
            }
        )

    def picks_table(self) -> pd.DataFrame:
        """One row per pick, by wave and then in walking order: what the picker does."""
        lists = self.pick_lists
        counts = np.diff(lists.pick_ptr)
        pick_wave = np.repeat(self.wave_of, counts)
        stop = np.empty(len(lists.sku), np.int64)
        for w, route in enumerate(self.routes):
            at = {loc: k + 1 for k, loc in enumerate(route.stops)}
            idx = np.flatnonzero(pick_wave == w)
            stop[idx] = [at[loc] for loc in lists.location[idx].tolist()]
        table = pd.DataFrame(
            {
                "wave_id": np.array(self.wave_ids, dtype=str)[pick_wave],
                "stop": stop,
                "location": lists.location,
                "sku": lists.sku,
                "qty": lists.qty,
                "order_id": np.repeat(lists.order_id, counts),
                "shipment_id": np.repeat(lists.shipment_id, counts),
            }
        )
        order = np.lexsort((np.arange(len(stop)), stop, pick_wave))
        return table.iloc[order].reset_index(drop=True)

    def to_json(self) -> dict[str, Any]:
        """The summary and every wave with its orders and its route (contracts §5 form)."""
        members: list[list[str]] = [[] for _ in range(self.num_waves)]
        for i, w in enumerate(self.wave_of.tolist()):
            members[w].append(str(self.pick_lists.shipment_id[i]))
        table = self.waves_table()
        units = table["units"].tolist()
        solo = table["solo_length_m"].tolist()
        return {
            "node": self.pick_lists.node,
            "method": self.method,
            "cart_units": self.cart.units,
            "cart_orders": self.cart.orders,
            "num_orders": self.pick_lists.num_lists,
            "num_waves": self.num_waves,
            "total_walk_m": self.total_walk_m,
            "solo_walk_m": self.solo_walk_m,
            "saving_m": self.solo_walk_m - self.total_walk_m,
            "saving": self.saving,
            "stats": self.stats,
            "waves": [
                {
                    "wave_id": wave_id,
                    "shipments": members[w],
                    "units": units[w],
                    "solo_length_m": solo[w],
                    "route": self.routes[w].to_json(),
                }
                for w, wave_id in enumerate(self.wave_ids)
            ],
        }


def _dense_orders(lists: PickLists) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Distinct locations (matrix index v + 1) and each list's distinct locations in CSR form."""
    locations, index = np.unique(lists.location, return_inverse=True)
    pick_list = np.repeat(np.arange(lists.num_lists), np.diff(lists.pick_ptr))
    pairs = np.unique(np.stack([pick_list, index + 1]), axis=1)  # sorted by list, then location
    order_ptr = np.searchsorted(pairs[0], np.arange(lists.num_lists + 1))
    return locations.tolist(), order_ptr.astype(np.int64), pairs[1].astype(np.int64)


def plan_waves(
    layout: Any,
    lists: PickLists,
    cart: Cart,
    *,
    method: str = "best",
    seed: str = "savings",
    improve: bool = True,
    time_limit: float | None = None,
) -> WavePlan:
    """Group the node's pick lists into waves and route every wave and every list alone.

    ``time_limit`` (seconds) bounds the batching search; each route gets the router's default.
    """
    if method not in METHODS:
        raise InvalidInput(
            f"unknown routing method '{method}'",
            column="method",
            fix=f"use one of {', '.join(METHODS)}",
        )
    if lists.num_lists == 0:
        raise InvalidInput(f"no pick lists for node '{lists.node}'")
    locations, order_ptr, order_loc = _dense_orders(lists)
    dist = np.asarray(layout.distance_matrix(locations), dtype=np.float64)
    batching = batch_orders(
        dist,
        order_ptr,
        order_loc,
        lists.units,
        cart,
        seed=seed,
        improve=improve,
        time_limit=time_limit,
    )
    start = time.perf_counter()
    loc_ids = np.asarray(locations, dtype=str)
    wave_locs: list[list[int]] = [[] for _ in range(batching.num_waves)]
    solo_routes = []
    for i in range(lists.num_lists):
        mine = order_loc[order_ptr[i] : order_ptr[i + 1]] - 1
        wave_locs[batching.wave_of[i]].extend(mine.tolist())
        solo_routes.append(pick_route(layout, loc_ids[mine].tolist(), method))
    routes = [pick_route(layout, loc_ids[np.unique(v)].tolist(), method) for v in wave_locs]
    stats = dict(batching.stats)
    stats["routing_seconds"] = time.perf_counter() - start
    return WavePlan(lists, cart, method, batching.wave_of, routes, solo_routes, stats)


def write_wave_plan(plan: WavePlan, out_dir: str | Path) -> list[Path]:
    """Write ``waves.csv``, ``orders.csv``, ``picks.csv`` and ``waves.json`` into ``out_dir``
    (which must exist); returns the paths written."""
    out = Path(out_dir)
    paths = [out / "waves.csv", out / "orders.csv", out / "picks.csv", out / "waves.json"]
    plan.waves_table().to_csv(paths[0], index=False)
    plan.orders_table().to_csv(paths[1], index=False)
    plan.picks_table().to_csv(paths[2], index=False)
    paths[3].write_text(json.dumps(plan.to_json(), indent=2) + "\n")
    return paths
