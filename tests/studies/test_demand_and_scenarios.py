"""Common random numbers and scenario edits: a seed is the same day in every scenario, a surge
adds to it, a forecast is never it; edits change the bundle's files as documented."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from dom.studies import load_study
from dom.studies.runs import StudyInputs, restock
from tests.studies.conftest import write_study

TEXT = """
network: network
demand: {{orders_per_day: 200}}
scenarios:
  base: {{}}
  more-stock: {{inventory: {{"*": {{multiply: 2}}}}, rates: {{multiply: 1.5}}}}
  surge: {{demand: {{multiply: 1.5}}}}
  thin: {{demand: {{multiply: 0.5}}}}
  move: {{inventory: {{move: [{{from: {a}, to: {b}, share: 1.0}}]}}}}
  closed: {{nodes: {{{a}: {{enabled: false, capacity: 10}}}}}}
"""


def _inputs(small_network: Path, tmp_path: Path) -> StudyInputs:
    ids = pd.read_csv(small_network / "fcs.csv")["fc_id"].tolist()
    study, _ = load_study(write_study(tmp_path, small_network, TEXT.format(a=ids[0], b=ids[1])))
    return StudyInputs(study)


def test_a_seed_is_the_same_day_in_every_scenario(small_network: Path, tmp_path: Path) -> None:
    """Stock and rate edits leave the demand alone; a surge keeps every base order; thinning
    keeps a subset; forecasts are other days; other seeds are other days."""
    inputs = _inputs(small_network, tmp_path)
    base = inputs.demand.day(1, 1)
    pd.testing.assert_frame_equal(base, inputs.demand.day(1, 1))
    surge = inputs.demand.day(1, 1, 1.5)
    assert set(base["order_id"]) < set(surge["order_id"])
    assert surge["order_id"].nunique() == 300
    kept = surge[surge["order_id"].isin(base["order_id"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, base)
    thin = inputs.demand.day(1, 1, 0.5)
    assert set(thin["order_id"]) < set(base["order_id"])
    forecast = inputs.demand.forecast(1, 1, 0)
    assert not forecast["sku"].reset_index(drop=True).equals(base["sku"].iloc[: len(forecast)])
    assert not inputs.demand.day(2, 1)["sku"].equals(base["sku"])
    times = pd.to_datetime(base["created_at"])
    assert times.is_monotonic_increasing and (times.dt.date.astype(str) == "2025-03-04").all()
    assert (pd.to_datetime(inputs.demand.day(1, 2)["created_at"]).dt.day == 5).all()


def test_edits_change_the_bundle_as_documented(small_network: Path, tmp_path: Path) -> None:
    """multiply doubles what is available and keeps safety stock; move empties the source into
    the target; a closed node is disabled with its new capacity; rates scale."""
    inputs = _inputs(small_network, tmp_path)
    base, _, _ = inputs.scenario("base")
    more, _, _ = inputs.scenario("more-stock")
    moved, _, _ = inputs.scenario("move")
    closed, _, _ = inputs.scenario("closed")
    assert (more.available() == 2 * base.available()).all()
    assert (more.safety_stock == base.safety_stock).all()
    finite = np.isfinite(base.rate_price)
    assert np.allclose(more.rate_price[finite], 1.5 * base.rate_price[finite], rtol=1e-6)
    assert moved.available()[0].sum() == 0
    assert moved.available()[1].sum() == base.available()[0].sum() + base.available()[1].sum()
    assert moved.available().sum() == base.available().sum()
    assert not closed.enabled[0] and closed.capacity[0] == 10 and closed.enabled[1:].all()


def test_restock_orders_up_to_twice_the_reorder_point(small_network: Path, tmp_path: Path) -> None:
    """At or below the point (counting what is on order), order up to twice it; else nothing."""
    network, _, _ = _inputs(small_network, tmp_path).scenario("base")
    point = network.reorder_point
    on_hand = np.where(point > 0, point, 0)  # every cell with a point sits exactly at it
    order = restock(network, on_hand, np.zeros_like(on_hand))
    assert (order[point > 0] == point[point > 0]).all() and (order[point <= 0] == 0).all()
    assert not restock(network, on_hand, on_hand).any()  # enough on order already
