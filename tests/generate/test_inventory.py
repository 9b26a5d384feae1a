"""Stock and capacity: exact covers, scarcity where it matters, realistic stocking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dom.generate import CURATED, GeneratedBundle, GeneratorParams, make_bundle
from dom.generate.inventory import capacities, draw_inventory, largest_remainder


def _demand_units(bundle: GeneratedBundle) -> int:
    """Demanded units with kit lines counted as their component units."""
    per_kit = bundle.kits.groupby("kit_sku")["qty"].sum()
    units = bundle.orders["qty"] * bundle.orders["sku"].map(per_kit).fillna(1)
    return int(units.sum())


@settings(max_examples=8, deadline=None)
@given(stock_cover=st.floats(0.2, 2.5), capacity_cover=st.floats(0.2, 2.5))
def test_covers_are_exact(stock_cover: float, capacity_cover: float) -> None:
    """Available units and capacity total the covers times demanded units (rounded)."""
    bundle = make_bundle(
        GeneratorParams(
            nodes=8,
            skus=500,
            orders=800,
            seed=1,
            stock_cover=stock_cover,
            capacity_cover=capacity_cover,
        )
    )
    demand = _demand_units(bundle)
    inv = bundle.inventory
    available = (inv["on_hand"] - inv["safety_stock"]).clip(lower=0).sum()
    assert available == round(stock_cover * demand)
    assert bundle.fcs["capacity_units"].sum() == round(capacity_cover * demand)


def test_sample_is_scarce_somewhere(sample: GeneratedBundle) -> None:
    """The sample day has short SKUs and spare ones, and a tight FC-EWR."""
    comp = sample.kits.set_index("kit_sku")
    orders = sample.orders
    direct = orders[~orders["sku"].isin(comp.index)].groupby("sku")["qty"].sum()
    inv = sample.inventory
    available = (inv["on_hand"] - inv["safety_stock"]).clip(lower=0).groupby(inv["sku"]).sum()
    both = pd.concat([direct.rename("d"), available.rename("a")], axis=1).fillna(0)
    demanded = both[both["d"] > 0]
    short = (demanded["a"] < demanded["d"]).mean()
    assert 0.05 < short < 0.5
    assert (demanded["a"] > demanded["d"]).mean() > 0.2
    cap = sample.fcs.set_index("fc_id")["capacity_units"]
    assert cap["FC-EWR"] < cap["FC-MEM"] and cap["ST-NYC"] < 0.1 * cap["FC-EWR"]


def test_inventory_shapes(sample: GeneratedBundle) -> None:
    """Best sellers are stocked widely, stores hold a subset, some rows sit under safety stock."""
    inv = sample.inventory
    nodes_per_sku = inv.groupby("sku").size().reindex(sample.skus["sku"], fill_value=0)
    demand = sample.orders["sku"].value_counts().reindex(sample.skus["sku"], fill_value=0)
    rank = demand.rank(method="first", ascending=False)
    assert nodes_per_sku[rank <= 100].mean() > 1.5 * nodes_per_sku[rank > 1000].mean()
    kinds = sample.fcs.set_index("fc_id")["kind"]
    rows_per_node = inv.groupby("fc_id").size()
    stores, warehouses = kinds[kinds == "store"].index, kinds[kinds == "warehouse"].index
    assert rows_per_node[stores].max() < 0.5 * rows_per_node[warehouses].min()
    in_warehouse = inv[inv["fc_id"].isin(warehouses)]["sku"]
    assert set(in_warehouse) == set(sample.skus["sku"])
    assert (inv["on_hand"] < inv["safety_stock"]).any()
    assert (inv["on_hand"] <= inv["reorder_point"]).mean() < 0.9


@settings(max_examples=50, deadline=None)
@given(
    x=st.lists(st.floats(0.0, 1e6), min_size=1, max_size=30),
    total=st.integers(0, 10_000),
)
def test_largest_remainder_hits_the_total(x: list[float], total: int) -> None:
    """Rounded values sum to the total (when any is positive) and stay within 1 of the share."""
    values = np.array(x)
    rounded = largest_remainder(values, total)
    assert rounded.dtype == np.int64 and (rounded >= 0).all()
    if values.sum() > 0:
        assert rounded.sum() == total
        assert (np.abs(rounded - values * total / values.sum()) < 1.0 + 1e-9).all()


def test_capacities_are_proportional_and_at_least_one() -> None:
    """Capacity follows size exactly in total; a tiny node still gets one unit."""
    assert list(capacities([1.0, 1.0, 2.0], 400.0)) == [100, 100, 200]
    assert capacities([1.0, 1e-9], 10.4).tolist() == [10, 1]


def test_a_network_of_stores_still_stocks_every_sku() -> None:
    """Without warehouses, every SKU is still stocked somewhere, and the cover is exact."""
    stores = [s for s in CURATED if s.kind == "store"]
    expected = np.full(40, 1 / 40)
    demand = np.arange(40, dtype=np.int64)
    sku_ids = np.array([f"SKU-{i}" for i in range(40)])
    inv = draw_inventory(stores, sku_ids, expected, demand, 1.0, np.random.default_rng(0))
    assert set(inv["sku"]) == set(sku_ids) and set(inv["fc_id"]) <= {s.fc_id for s in stores}
    available = (inv["on_hand"] - inv["safety_stock"]).clip(lower=0).sum()
    assert available == pytest.approx(demand.sum())
