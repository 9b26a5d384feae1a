"""Slotting: which warehouse locations hold each SKU (``slotting.csv``: ``sku, location``).

A SKU may sit in several locations (a forward pick face and a reserve, say) and a location may
hold several SKUs (both faces of the aisle, several shelf levels). :func:`make_slotting` builds
the classic velocity-based assignment: SKUs ranked by demand go to locations ranked by walking
distance from the depot, so the fastest movers are nearest (de Koster, Le-Duc & Roodbergen 2007,
"Design and control of warehouse order picking: a literature review", EJOR 182(2),
volume-based storage).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dom.errors import InvalidInput, UnknownLocation, UnknownSku
from dom.model import Network, Orders


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


def read_csv_table(
    path: Path, required: Sequence[str], fix: str, *, nonempty: Sequence[str] | None = None
) -> pd.DataFrame:
    """A CSV read as stripped strings, checked to have the required columns, and values in the
    ``nonempty`` ones (default: all required).

    Row numbers in later messages are 1-based data rows (header excluded), as in
    :class:`dom.errors.InvalidInput`.
    """
    if not path.is_file():
        raise InvalidInput("file not found", file=str(path), fix=fix)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"not a readable CSV ({exc})", file=str(path), fix=fix) from exc
    table.columns = [str(c).strip() for c in table.columns]
    for column in required:
        if column not in table.columns:
            raise InvalidInput(
                f"missing column '{column}' (found: {', '.join(table.columns)})",
                file=str(path),
                column=column,
                fix=f"the header must name {', '.join(required)}",
            )
    for column in required:
        table[column] = table[column].str.strip()
    for column in required if nonempty is None else nonempty:
        empty = np.flatnonzero(table[column].to_numpy() == "")
        if len(empty):
            raise InvalidInput(
                "empty value", file=str(path), row=int(empty[0]) + 1, column=column, fix=fix
            )
    return table


def load_slotting(
    path: str | Path, layout: Any, *, known_skus: Collection[str] | None = None
) -> Slotting:
    """Read and check ``slotting.csv`` against the layout's locations (and the SKU catalogue
    when ``known_skus`` is given)."""
    path = Path(path)
    table = read_csv_table(path, ("sku", "location"), "one row per 'sku,location' pair")
    if table.empty:
        raise InvalidInput("no rows", file=str(path), fix="slot at least one SKU")
    sku = table["sku"].to_numpy(dtype=str)
    location = table["location"].to_numpy(dtype=str)
    unknown = np.flatnonzero(~np.isin(location, np.asarray(layout.location_ids, dtype=str)))
    if len(unknown):
        r = int(unknown[0])
        raise UnknownLocation(
            f"location '{location[r]}' is not in the layout",
            file=str(path),
            row=r + 1,
            column="location",
            fix="use location ids of the layout (A{aisle:02d}-B{block}-S{slot:02d})",
        )
    if known_skus is not None:
        unknown = np.flatnonzero(~np.isin(sku, np.asarray(list(known_skus), dtype=str)))
        if len(unknown):
            r = int(unknown[0])
            raise UnknownSku(
                f"SKU '{sku[r]}' is not in the network's skus.csv",
                file=str(path),
                row=r + 1,
                column="sku",
                fix="slot only SKUs the network stocks",
            )
    repeated = np.flatnonzero(table.duplicated(["sku", "location"], keep="first").to_numpy())
    if len(repeated):
        r = int(repeated[0])
        raise InvalidInput(
            f"SKU '{sku[r]}' at location '{location[r]}' is listed twice",
            file=str(path),
            row=r + 1,
            column="location",
            fix="keep one row per (sku, location)",
        )
    return Slotting.from_rows(sku, location)


def make_slotting(
    layout: Any,
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


def sku_demand(network: Network, orders: Orders) -> np.ndarray:
    """Units demanded per SKU, ``demand[sku]``, a kit line counting its component units."""
    item, qty = orders.line_item, orders.line_qty
    plain = item < network.num_skus
    demand = np.bincount(item[plain], qty[plain], minlength=network.num_skus)
    kit, kit_qty = item[~plain] - network.num_skus, qty[~plain]
    per_kit = np.diff(network.kit_ptr)[kit]  # components of each kit line
    within = np.arange(per_kit.sum()) - np.repeat(np.cumsum(per_kit) - per_kit, per_kit)
    comp = np.repeat(network.kit_ptr[kit], per_kit) + within  # [component line] into kit_comp_*
    units = np.repeat(kit_qty, per_kit) * network.kit_comp_qty[comp]
    return demand + np.bincount(network.kit_comp_sku[comp], units, minlength=network.num_skus)


def write_slotting(slotting: Slotting, path: str | Path) -> None:
    """Write ``sku,location`` rows in the slotting's row order."""
    pd.DataFrame({"sku": slotting.sku, "location": slotting.location}).to_csv(path, index=False)
