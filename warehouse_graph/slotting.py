"""Slotting: which warehouse locations hold each SKU (``slotting.csv``: ``sku, location``).

A SKU may sit in several locations and a location may hold several SKUs. :func:`make_slotting`
builds the classic volume-based assignment, the most demanded SKUs nearest the depot (de Koster,
Le-Duc & Roodbergen 2007, EJOR 182(2)). Why: fast movers near the depot shorten every walk
(docs/picking.md#slotting).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dom.errors import InvalidInput, UnknownLocation, UnknownSku
from warehouse_graph.kits import Kits, explode_kits
from warehouse_graph.layout import Layout
from warehouse_graph.tables import check_rows, read_csv_table


@dataclass(frozen=True, eq=False)
class Slotting:
    """Rows of a slotting file, axis [row], plus the lookup ``locations[sku]`` (file order)."""

    sku: np.ndarray  # str [row]
    location: np.ndarray  # str [row]
    locations: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_rows(
        cls, sku: Sequence[str] | np.ndarray, location: Sequence[str] | np.ndarray
    ) -> Slotting:
        """Build the lookup from rows already checked."""
        sku_arr = np.asarray(sku, dtype=str)
        loc_arr = np.asarray(location, dtype=str)
        lookup: dict[str, list[str]] = {}
        for s, loc in zip(sku_arr.tolist(), loc_arr.tolist(), strict=True):
            lookup.setdefault(s, []).append(loc)
        return cls(sku_arr, loc_arr, {s: tuple(v) for s, v in lookup.items()})

    @property
    def num_rows(self) -> int:
        return len(self.sku)


def load_slotting(
    path: str | Path, layout: Layout, *, known_skus: Collection[str] | None = None
) -> Slotting:
    """Read and check ``slotting.csv`` against the layout's locations (and the SKU catalogue
    when ``known_skus`` is given)."""
    path = Path(path)
    table = read_csv_table(path, ("sku", "location"), "one row per 'sku,location' pair")
    if table.empty:
        raise InvalidInput("no rows", file=str(path), fix="slot at least one SKU")
    sku = table["sku"].to_numpy(dtype=str)
    location = table["location"].to_numpy(dtype=str)
    where = str(path)
    check_rows(
        np.isin(location, np.asarray(layout.location_ids, dtype=str)),
        UnknownLocation,
        lambda r: f"location '{location[r]}' is not in the layout",
        file=where,
        column="location",
        fix="use location ids of the layout (A{aisle:02d}-B{block}-S{slot:02d})",
    )
    if known_skus is not None:
        check_rows(
            np.isin(sku, np.asarray(list(known_skus), dtype=str)),
            UnknownSku,
            lambda r: f"SKU '{sku[r]}' is not in the network's skus.csv",
            file=where,
            column="sku",
            fix="slot only SKUs the network stocks",
        )
    check_rows(
        ~table.duplicated(["sku", "location"], keep="first").to_numpy(),
        InvalidInput,
        lambda r: f"SKU '{sku[r]}' at location '{location[r]}' is listed twice",
        file=where,
        column="location",
        fix="keep one row per (sku, location)",
    )
    return Slotting.from_rows(sku, location)


def make_slotting(
    layout: Layout,
    sku_ids: Sequence[str],
    demand_units: Sequence[float] | np.ndarray,
    *,
    skus_per_location: int = 2,
) -> Slotting:
    """Slot every SKU once: the most demanded SKUs at the locations nearest the depot.

    SKUs are ranked by demand (most first, ties by id), locations by walking distance from the
    depot (nearest first, ties by id); each location takes ``skus_per_location`` SKUs in rank
    order (2: the two faces of the aisle). Deterministic for the same inputs.
    """
    if skus_per_location < 1:
        raise InvalidInput(f"skus_per_location must be at least 1, got {skus_per_location}")
    skus = np.asarray(sku_ids, dtype=str)
    demand = np.asarray(demand_units, dtype=float)
    if demand.shape != skus.shape:
        raise InvalidInput(f"{len(skus)} SKUs but {len(demand)} demand figures")
    loc_ids = np.asarray(layout.location_ids, dtype=str)
    capacity = len(loc_ids) * skus_per_location
    if len(skus) > capacity:
        raise InvalidInput(
            f"{len(skus)} SKUs do not fit {len(loc_ids)} locations x {skus_per_location}",
            fix="use a larger layout or more SKUs per location",
        )
    from_depot = np.asarray(layout.distance_matrix(list(loc_ids)), dtype=float)[0, 1:]
    loc_rank = np.lexsort((loc_ids, from_depot))
    sku_rank = np.lexsort((skus, -demand))
    slot = loc_rank[np.arange(len(skus)) // skus_per_location]
    return Slotting.from_rows(skus[sku_rank].tolist(), loc_ids[slot].tolist())


def sku_demand(
    sku_ids: Sequence[str],
    line_sku: Sequence[str] | np.ndarray,
    line_qty: Sequence[int] | np.ndarray,
    *,
    kits: Kits | None = None,
) -> np.ndarray:
    """Units demanded per SKU, ``demand[sku]`` in the order of ``sku_ids``, by the order lines
    ``(line_sku[i], line_qty[i])``; a kit line (a key of ``kits``) counts its component units."""
    lines = pd.DataFrame(
        {"sku": np.asarray(line_sku, dtype=str), "qty": np.asarray(line_qty, dtype=np.int64)}
    )
    if kits:
        lines = explode_kits(lines, kits)
    code = pd.Index(np.asarray(sku_ids, dtype=str)).get_indexer(lines["sku"])
    if (code < 0).any():
        unknown = lines["sku"].to_numpy()[np.argmax(code < 0)]
        raise UnknownSku(f"SKU '{unknown}' is neither in sku_ids nor a kit", column="line_sku")
    qty = lines["qty"].to_numpy(dtype=np.int64)
    return np.bincount(code, weights=qty, minlength=len(sku_ids)).astype(np.int64)


def write_slotting(slotting: Slotting, path: str | Path) -> None:
    """Write ``sku,location`` rows in the slotting's row order."""
    pd.DataFrame({"sku": slotting.sku, "location": slotting.location}).to_csv(path, index=False)
