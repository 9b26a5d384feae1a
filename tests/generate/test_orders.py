"""The day of orders: shapes of lines, promises and arrivals, and the demand they make."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dom.generate import GeneratedBundle
from dom.generate.catalogue import draw_catalogue
from dom.generate.orders import (
    KIT_LINE_SHARE,
    ORDER_DAY,
    component_demand,
    draw_orders,
    expected_share,
)


def test_order_shapes(sample: GeneratedBundle) -> None:
    """Mostly 1–2 lines and 1 unit, promised mostly 5 days, some ship-complete, four channels."""
    orders = sample.orders
    lines = orders.groupby("order_id").size()
    assert 0.72 < (lines <= 2).mean() < 0.82 and lines.max() <= 10 and (lines >= 6).sum() > 20
    assert 0.75 < (orders["qty"] == 1).mean() < 0.85 and orders["qty"].max() == 5
    first = orders.drop_duplicates("order_id")
    promised = first["promised_days"].value_counts(normalize=True)
    assert set(promised.index) == {1, 2, 5} and promised[5] > 0.7 and promised[1] > 0.03
    assert 0.04 < (first["ship_complete"] == "true").mean() < 0.12
    assert set(first["channel"]) == {"web", "phone", "store", "marketplace"}
    stamps = pd.to_datetime(first["created_at"])
    assert stamps.is_monotonic_increasing
    assert stamps.dt.date.nunique() == 1 and stamps.dt.hour.nunique() == 24
    assert (first["dest_zip"].str[0] == "0").any()  # New England ZIPs keep their leading zero
    latlon = first["dest_lat"].notna()
    assert 0 < latlon.sum() < 0.05 * len(first)


def test_ids_follow_arrival_on_the_order_day(sample: GeneratedBundle) -> None:
    """Order ids count up in file order, every stamp is on the order day, each order's lines
    are contiguous."""
    first = sample.orders.drop_duplicates("order_id")
    assert list(first["order_id"]) == [f"SO-{i:06d}" for i in range(1, len(first) + 1)]
    assert first["created_at"].str.startswith(ORDER_DAY).all()
    assert first["created_at"].str.endswith("Z").all()
    runs = (sample.orders["order_id"] != sample.orders["order_id"].shift()).sum()
    assert runs == len(first)


def test_a_small_catalogue_caps_the_lines_of_an_order() -> None:
    """With two SKUs and no kits, no order has more than two lines and none repeats an item."""
    cat = draw_catalogue(2, np.random.default_rng(0))
    day = draw_orders(300, cat, np.random.default_rng(1))
    lines = day.orders.groupby("order_id").size()
    assert lines.max() <= 2 and day.orders["order_id"].nunique() == 300
    assert not day.orders.duplicated(["order_id", "sku"]).any()


def test_demand_counts_kit_lines_as_their_components() -> None:
    """A kit line demands its components times their quantities; a SKU line its own units."""
    cat = draw_catalogue(400, np.random.default_rng(4))  # two kits
    kit = 0
    part = slice(cat.kit_ptr[kit], cat.kit_ptr[kit + 1])
    line_item = np.array([0, 1, cat.num_skus + kit])
    line_qty = np.array([2, 1, 3])
    expected = np.zeros(cat.num_skus, dtype=np.int64)
    expected[0] += 2
    expected[1] += 1
    np.add.at(expected, cat.kit_comp[part], 3 * cat.kit_qty[part])
    assert (component_demand(cat, line_item, line_qty) == expected).all()


def test_drawn_demand_matches_the_lines() -> None:
    """The day's demand equals the component units of its lines, kit lines expanded."""
    cat = draw_catalogue(1000, np.random.default_rng(5))
    day = draw_orders(2000, cat, np.random.default_rng(6))
    lines = day.orders[["sku", "qty"]]
    kits = cat.kits_frame().rename(columns={"qty": "per_kit"})
    kit_lines = lines.merge(kits, left_on="sku", right_on="kit_sku")
    assert len(kit_lines.drop_duplicates("sku")) > 0
    units = pd.concat(
        [
            lines[lines["sku"].isin(cat.sku_ids)].set_index("sku")["qty"],
            (kit_lines["qty"] * kit_lines["per_kit"]).set_axis(kit_lines["component_sku"]),
        ]
    )
    by_sku = units.groupby(level=0).sum().reindex(cat.sku_ids, fill_value=0)
    assert (by_sku.to_numpy() == day.demand).all()


def test_expected_share_mixes_in_the_kits() -> None:
    """Expected shares sum to 1; without kits they are the popularity itself; kit lines take
    their share from every SKU alike and give it to the kits' components."""
    plain = draw_catalogue(150, np.random.default_rng(8))
    assert plain.num_kits == 0 and np.allclose(expected_share(plain), plain.popularity)
    cat = draw_catalogue(2000, np.random.default_rng(8))
    share = expected_share(cat)
    assert share.sum() == pytest.approx(1.0)
    comps = np.unique(cat.kit_comp)
    lone = np.setdiff1d(np.arange(cat.num_skus), comps)
    kit_units = float((cat.kit_popularity[cat.component_kit] * cat.kit_qty).sum())
    scale = (1 - KIT_LINE_SHARE) / (1 - KIT_LINE_SHARE + KIT_LINE_SHARE * kit_units)
    assert np.allclose(share[lone] / cat.popularity[lone], scale) and scale < 1.0
    assert (share[comps] / cat.popularity[comps] > scale).all()
