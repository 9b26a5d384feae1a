"""Stock and capacity scaled to the day's demand, so that allocation matters.

Method: a noisy forecast per SKU split over the nodes that stock it, rounded by largest remainder
(Hamilton's method) to exact totals of ``stock_cover`` and ``capacity_cover`` times the demanded
units. docs/data.md ("Inventory", "Capacity") gives every number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dom.generate.sites import Site

_STORE_MIN_QUANTILE = 0.85  # stores hold only the best sellers, the top 15%
_SHRINK_SHARE = 0.1


def draw_inventory(
    sites: list[Site],
    sku_ids: np.ndarray,
    expected: np.ndarray,
    demand: np.ndarray,
    stock_cover: float,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """``inventory.csv`` (contracts §1): rows of the stocked (node, SKU) pairs only.

    ``expected`` is each SKU's expected share of demanded units, ``demand`` the day's units per
    SKU; available units total ``round(stock_cover * demand.sum())`` exactly.
    """
    num_nodes, num_skus = len(sites), len(expected)
    demand_units = int(demand.sum())
    store = np.array([s.kind == "store" for s in sites])
    size = np.array([s.size for s in sites])
    quantile = np.empty(num_skus)
    quantile[np.argsort(expected, kind="stable")] = (np.arange(num_skus) + 1) / num_skus
    draw = rng.random((num_nodes, num_skus))  # [node, sku]
    stocked = np.where(
        store[:, None],
        (quantile[None, :] > _STORE_MIN_QUANTILE) & (draw < 0.7),
        draw < 0.3 + 0.65 * quantile[None, :] ** 1.5,
    )
    if (~store).any():  # every SKU in at least one warehouse, picked by size
        orphan = ~(stocked & ~store[:, None]).any(axis=0)
        pick = np.where(store, -np.inf, size)[:, None] * rng.random((num_nodes, num_skus))
        stocked[pick.argmax(axis=0)[orphan], np.flatnonzero(orphan)] = True
    else:
        stocked[:, ~stocked.any(axis=0)] = True
    # a forecast between the day's demand and the expected one, so some SKUs run short
    forecast = 0.75 * demand + 0.25 * expected * demand_units
    per_sku = forecast * rng.lognormal(0.0, 0.3, num_skus)
    split = stocked * size[:, None] * rng.lognormal(0.0, 0.5, (num_nodes, num_skus))
    split /= split.sum(axis=0, keepdims=True)
    available = largest_remainder(split * per_sku[None, :], round(stock_cover * demand_units))

    # safety stock: 10–30% of available at warehouses; 0–2 display units at stores
    frac = rng.uniform(0.1, 0.3, (num_nodes, num_skus))
    safety = np.where(
        store[:, None], rng.integers(0, 3, (num_nodes, num_skus)), np.rint(available * frac)
    ).astype(np.int64)
    on_hand = available + safety
    # shrink: 10% of stocked pairs with nothing available sit below their safety stock
    shrunk = stocked & (available == 0) & (rng.random((num_nodes, num_skus)) < _SHRINK_SHARE)
    safety = np.where(shrunk, np.maximum(safety, 1) + 1, safety)
    on_hand = np.where(shrunk, safety - rng.integers(1, 3, (num_nodes, num_skus)), on_hand)
    # reorder point: safety stock plus 0.2–0.8 days of this node's expected demand for the SKU
    daily = split * expected[None, :] * demand_units
    reorder = safety + np.rint(daily * rng.uniform(0.2, 0.8, (num_nodes, num_skus)))
    node_ix, sku_ix = np.nonzero(stocked)
    node_ids = np.array([s.fc_id for s in sites])
    return pd.DataFrame(
        {
            "fc_id": node_ids[node_ix],
            "sku": sku_ids[sku_ix],
            "on_hand": on_hand[node_ix, sku_ix],
            "safety_stock": safety[node_ix, sku_ix],
            "reorder_point": reorder.astype(np.int64)[node_ix, sku_ix],
        }
    )


def capacities(size: list[float], total: float) -> np.ndarray:
    """Units per node proportional to its size, summing to ``round(total)`` (at least 1 each)."""
    return np.maximum(largest_remainder(np.asarray(size, dtype=np.float64), round(total)), 1)


def largest_remainder(x: np.ndarray, total: int) -> np.ndarray:
    """Round non-negative ``x`` to integers summing to ``total`` (Hamilton's method)."""
    if x.sum() > 0:
        scale = total / x.sum()
        # shares far below one unit (a sum near the smallest float) are scaled as shares first
        x = x * scale if np.isfinite(scale) else x / x.sum() * total
    base = np.floor(x).astype(np.int64)
    short = total - int(base.sum())
    if short > 0:
        frac = (x - base).ravel()
        base.ravel()[np.argsort(-frac, kind="stable")[:short]] += 1
    return base
