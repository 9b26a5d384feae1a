"""Kits in warehouse work: a kit is picked as its components (contracts §1, ``kits.csv``).

``Kits`` maps a kit id to its ``(component SKU, units per kit)`` pairs; a line of ``qty`` kits
becomes one line per component of ``qty`` times its units per kit. Why: pick lists and
slotting demand count what is on the shelf, and only components are (docs/picking.md#pick-lists).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

Kits = Mapping[str, Sequence[tuple[str, int]]]


def kits_from_csr(
    kit_ids: Sequence[str] | np.ndarray,
    kit_ptr: Sequence[int] | np.ndarray,
    component_sku: Sequence[str] | np.ndarray,
    component_qty: Sequence[int] | np.ndarray,
) -> dict[str, list[tuple[str, int]]]:
    """Kits from CSR arrays: kit ``k`` has the components
    ``component_sku/qty[kit_ptr[k]:kit_ptr[k + 1]]`` (the columnar form of ``kits.csv``)."""
    return {
        str(kit): [
            (str(component_sku[c]), int(component_qty[c]))
            for c in range(int(kit_ptr[k]), int(kit_ptr[k + 1]))
        ]
        for k, kit in enumerate(list(kit_ids))
    }


def explode_kits(lines: pd.DataFrame, kits: Kits) -> pd.DataFrame:
    """``lines`` (columns ``sku, qty`` and any others) with every kit line replaced by one line
    per component; other lines first, then the components in line order, other columns copied."""
    comp = pd.DataFrame(
        [(kit, sku, int(q)) for kit, parts in kits.items() for sku, q in parts],
        columns=["sku", "component", "per_kit"],
    )
    is_kit = lines["sku"].isin(comp["sku"])
    exploded = lines[is_kit].merge(comp, on="sku", how="left", sort=False)
    exploded["sku"] = exploded.pop("component")
    exploded["qty"] = exploded["qty"] * exploded.pop("per_kit")
    return pd.concat([lines[~is_kit], exploded], ignore_index=True)
