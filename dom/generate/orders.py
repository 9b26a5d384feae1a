"""A day of orders (contracts §2): lines, items, quantities, promises, destinations, arrival times.

Method: every field from a fixed discrete distribution (lines per order, quantity, promise,
channel, hour of day), items by the catalogue's demand shares, destinations by ZIP population
weight; vectorised, no Python loop per order. docs/data.md ("Orders", "Destinations") gives every
number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dom.generate.catalogue import Catalogue, numbered
from dom.generate.geography import population_weights

ORDER_DAY = "2025-03-04"  # every generated day is this date
KIT_LINE_SHARE = 0.03
_LINES_PMF = np.array([0.55, 0.22, 0.10, 0.05, 0.03, 0.02, 0.012, 0.008, 0.005, 0.005])
_QTY_PMF = np.array([0.80, 0.12, 0.04, 0.02, 0.02])
_BULKY_LB = 20.0  # items heavier than this are ordered 1 or 2 at a time
_PROMISED = np.array([5, 2, 1])
_PROMISED_PMF = np.array([0.78, 0.15, 0.07])
_CHANNELS = np.array(["web", "marketplace", "store", "phone"])
_CHANNEL_PMF = np.array([0.60, 0.22, 0.10, 0.08])
# share of the day's orders placed in each hour (UTC-free local day): quiet nights, a late-morning
# and an evening peak, the usual shape of e-commerce traffic
_HOUR_WEIGHTS = np.array(
    [1.5, 1.0, 0.7, 0.5, 0.5, 0.7, 1.2, 2.2, 3.5, 4.6, 5.4, 5.9,
     6.0, 5.8, 5.5, 5.3, 5.2, 5.4, 5.9, 6.4, 6.6, 6.0, 4.5, 2.8]
)  # fmt: skip
_SHIP_COMPLETE_SHARE = 0.08
_LATLON_ONLY_SHARE = 0.01
_LATLON_AND_ZIP_SHARE = 0.005
_JITTER_DEG = 0.03  # a street address near the ZIP centroid: within about two miles
_REDRAWS = 6


@dataclass(frozen=True, eq=False)
class DayOfOrders:
    """The rows of ``orders.csv`` and what they demand of the catalogue."""

    orders: pd.DataFrame
    demand: np.ndarray  # int64, [sku]: units, kit lines counted as their component units


def draw_orders(num_orders: int, catalogue: Catalogue, rng: np.random.Generator) -> DayOfOrders:
    """The day's orders, one row per line, in file order (by arrival), and their demand."""
    table, line_order, line_item, line_qty = _draw_lines(num_orders, catalogue, rng)
    frame = table.iloc[line_order].reset_index(drop=True)
    frame.insert(1, "sku", catalogue.item_ids()[line_item])
    frame.insert(2, "qty", line_qty)
    return DayOfOrders(frame, component_demand(catalogue, line_item, line_qty))


def component_demand(
    catalogue: Catalogue, line_item: np.ndarray, line_qty: np.ndarray
) -> np.ndarray:
    """Demanded units per SKU, kit lines counted as their component units."""
    num_skus = catalogue.num_skus
    is_sku = line_item < num_skus
    demand = np.bincount(line_item[is_sku], weights=line_qty[is_sku], minlength=num_skus)
    kit = line_item[~is_sku] - num_skus
    kit_units = np.bincount(kit, weights=line_qty[~is_sku], minlength=catalogue.num_kits)
    demand += np.bincount(
        catalogue.kit_comp,
        weights=kit_units[catalogue.component_kit] * catalogue.kit_qty,
        minlength=num_skus,
    )
    return demand.astype(np.int64)


def expected_share(catalogue: Catalogue) -> np.ndarray:
    """Expected share of demanded component units per SKU (what planners stock to)."""
    share = catalogue.popularity.copy()
    if len(catalogue.kit_popularity):
        share *= 1.0 - KIT_LINE_SHARE
        share += KIT_LINE_SHARE * np.bincount(
            catalogue.kit_comp,
            weights=catalogue.kit_popularity[catalogue.component_kit] * catalogue.kit_qty,
            minlength=catalogue.num_skus,
        )
    return share / share.sum()


def _draw_lines(
    num_orders: int, catalogue: Catalogue, rng: np.random.Generator
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """A per-order table and the lines (order row, item, qty) in file order, vectorised."""
    num_items = catalogue.num_skus + catalogue.num_kits
    # lines per order; an order cannot have more distinct items than the catalogue holds
    n_lines = rng.choice(len(_LINES_PMF), size=num_orders, p=_LINES_PMF) + 1
    n_lines = np.minimum(n_lines, num_items)
    line_order = np.repeat(np.arange(num_orders), n_lines)
    item = _draw_items(len(line_order), catalogue, rng)
    # distinct items within an order: redraw repeats a few times, then drop what still repeats
    for _ in range(_REDRAWS):
        dup = _repeats(line_order, item, num_items)
        if not dup.any():
            break
        item[dup] = _draw_items(int(dup.sum()), catalogue, rng)
    keep = ~_repeats(line_order, item, num_items)
    line_order, item = line_order[keep], item[keep]

    qty = rng.choice(len(_QTY_PMF), size=len(item), p=_QTY_PMF) + 1
    qty = np.where(catalogue.item_weight()[item] > _BULKY_LB, np.minimum(qty, 2), qty)

    zips, zlat, zlon, zweight = population_weights()
    dest = rng.choice(len(zips), size=num_orders, p=zweight / zweight.sum())
    seconds = _draw_seconds(num_orders, rng)
    arrival = np.argsort(seconds, kind="stable")  # order ids and file order follow arrival
    rank = np.empty(num_orders, dtype=np.int64)
    rank[arrival] = np.arange(num_orders)
    order_ids = numbered("SO-", num_orders, max(6, len(str(num_orders))))

    geo = rng.random(num_orders)
    latlon_only = geo < _LATLON_ONLY_SHARE
    with_latlon = geo < _LATLON_ONLY_SHARE + _LATLON_AND_ZIP_SHARE
    jitter_lat = rng.uniform(-_JITTER_DEG, _JITTER_DEG, num_orders)
    jitter_lon = rng.uniform(-_JITTER_DEG, _JITTER_DEG, num_orders)
    dest_lat = np.where(with_latlon, np.round(zlat[dest] + jitter_lat, 5), np.nan)
    dest_lon = np.where(with_latlon, np.round(zlon[dest] + jitter_lon, 5), np.nan)
    dest_zip = np.where(latlon_only, "", zips[dest])

    base = np.datetime64(ORDER_DAY, "s")
    stamps = np.datetime_as_string(base + seconds.astype("timedelta64[s]"), unit="s")
    table = pd.DataFrame(
        {
            "order_id": order_ids[rank],
            "promised_days": rng.choice(_PROMISED, size=num_orders, p=_PROMISED_PMF),
            "dest_zip": dest_zip,
            "dest_lat": dest_lat,
            "dest_lon": dest_lon,
            "ship_complete": np.where(
                rng.random(num_orders) < _SHIP_COMPLETE_SHARE, "true", "false"
            ),
            "channel": rng.choice(_CHANNELS, size=num_orders, p=_CHANNEL_PMF),
            "created_at": np.char.add(stamps.astype(str), "Z"),
        }
    )
    # lines in file order: orders by arrival, each order's lines in drawing order
    by_arrival = np.argsort(rank[line_order], kind="stable")
    return table, line_order[by_arrival], item[by_arrival], qty[by_arrival].astype(np.int64)


def _draw_items(n: int, catalogue: Catalogue, rng: np.random.Generator) -> np.ndarray:
    """Items of ``n`` lines: a kit with probability 3% (when there are kits), else a SKU."""
    sku = rng.choice(catalogue.num_skus, size=n, p=catalogue.popularity)
    if catalogue.num_kits == 0:
        return sku
    kit = catalogue.num_skus + rng.choice(catalogue.num_kits, size=n, p=catalogue.kit_popularity)
    return np.where(rng.random(n) < KIT_LINE_SHARE, kit, sku)


def _repeats(line_order: np.ndarray, item: np.ndarray, num_items: int) -> np.ndarray:
    """Lines whose item already appeared earlier in the same order."""
    key = line_order.astype(np.int64) * num_items + item
    _, first = np.unique(key, return_index=True)
    dup = np.ones(len(key), dtype=bool)
    dup[first] = False
    return dup


def _draw_seconds(n: int, rng: np.random.Generator) -> np.ndarray:
    """Seconds after midnight: an hour by ``_HOUR_WEIGHTS``, uniform within the hour."""
    hour = rng.choice(24, size=n, p=_HOUR_WEIGHTS / _HOUR_WEIGHTS.sum())
    return hour * 3600 + rng.integers(0, 3600, n)
