"""Pick waves: a node's pick lists batched onto carts, each cart trip (a wave) routed.

The carts come from :func:`warehouse_graph.batching.batch_orders`; the final waves, and every
order alone (the baseline of one trip per order), are routed by :func:`pick_route` (``best`` by
default), so the reported walks and the saving are those of real routes. Why: the walk saved by
picking several orders on one trip is what a wave plan is for (docs/picking.md#waves).
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
from warehouse_graph.batching import Cart, batch_orders
from warehouse_graph.layout import Layout
from warehouse_graph.picklists import PickLists
from warehouse_graph.routing import METHODS, Route, pick_route


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
    layout: Layout,
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
