"""Kits: the mapping from CSR arrays, and kit lines exploded into their components."""

from __future__ import annotations

import numpy as np
import pandas as pd

from warehouse_graph import kits_from_csr
from warehouse_graph.kits import explode_kits


def test_kits_from_csr_keeps_component_order():
    """Kit k owns components kit_ptr[k]:kit_ptr[k + 1], in that order, with units per kit."""
    kits = kits_from_csr(
        np.array(["GIFT", "PAIR", "NONE"]),
        np.array([0, 2, 3, 3]),
        np.array(["TEE", "MUG", "SOCK"]),
        np.array([2, 1, 2]),
    )
    assert kits == {"GIFT": [("TEE", 2), ("MUG", 1)], "PAIR": [("SOCK", 2)], "NONE": []}


def test_explode_kits_multiplies_and_keeps_other_columns():
    """A line of q kits becomes a line per component of q x units per kit; others stay first."""
    lines = pd.DataFrame({"sku": ["GIFT", "TEE", "PAIR"], "qty": [3, 1, 2], "row": [1, 2, 3]})
    out = explode_kits(lines, {"GIFT": [("TEE", 2), ("MUG", 1)], "PAIR": [("SOCK", 2)]})
    assert out["sku"].tolist() == ["TEE", "TEE", "MUG", "SOCK"]
    assert out["qty"].tolist() == [1, 6, 3, 4]
    assert out["row"].tolist() == [2, 1, 1, 3]
