"""The plan writer (``dom.plan``): a plan's rows and summary are the hand-computed ones, and a
plan is written all at once or not at all."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dom.costs import CostModel
from dom.io import load_network, load_orders
from dom.plan import Plan, build_plan
from solvers import Result, Status
from tests.io.bundles import TINY
from tests.plancheck import check_plan


def _tiny_plan(bound: float | None = 100.0) -> Plan:
    """The plan of ``tests/data/tiny/plan`` (worked out by hand) built from its assignment."""
    network = load_network(TINY)
    orders = load_orders(TINY / "orders.csv", network)
    inst, tables = CostModel(network).instance(orders)
    node = network.node_index
    assign = np.array(
        [node["EWR"], node["EWR"], node["RNO"], node["EWR"], node["EWR"], -1, node["BOS"]]
    )
    status = Status.FEASIBLE if bound is None else Status.LIMIT_REACHED
    result = Result("hand", status, assign, objective=0.0, bound=bound, runtime=0.0)
    return build_plan(network, orders, inst, tables, result)


def test_the_rows_and_summary_are_the_hand_computed_plan() -> None:
    """Every shipment's weight, billable weight, zone, service, price, handling, lateness and cost,
    every line's node and the summary's totals equal the plan worked out by hand."""
    plan = _tiny_plan()
    hand = pd.read_csv(TINY / "plan" / "shipments.csv")
    ours = plan.shipments.drop(columns="shipment_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(
        ours, hand.drop(columns="shipment_id"), check_dtype=False, check_exact=False
    )
    assert plan.shipments["shipment_id"].tolist() == ["A1-S1", "B2-S1", "C3-S1", "E5-S1"]
    hand_lines = pd.read_csv(TINY / "plan" / "lines.csv", keep_default_na=False)
    assert plan.lines["fc_id"].tolist() == hand_lines["fc_id"].tolist()
    expected = json.loads((TINY / "plan" / "summary.json").read_text())
    summary = plan.summary.to_json()
    for key in ("orders", "lines", "units_filled", "units_unfilled", "shipments"):
        assert summary[key] == expected[key], key
    for key in ("total_cost", "shipping_cost", "handling_cost", "late_penalty", "split_penalty",
                "backorder_penalty", "lower_bound", "gap"):  # fmt: skip
        assert summary[key] == pytest.approx(expected[key]), key
    assert summary["late_shipments"] == 2 and summary["status"] == "limit_reached"


def test_a_plan_without_a_bound_has_no_gap() -> None:
    """A heuristic's plan (no bound) writes null for lower_bound and gap."""
    summary = _tiny_plan(bound=None).summary
    assert summary.lower_bound is None and summary.gap is None


def test_a_written_plan_passes_the_independent_checker(tmp_path: Path) -> None:
    """Written as CSV, the plan is recomputed from its files and the bundle alone."""
    plan = _tiny_plan()
    plan.write(tmp_path / "plan")
    report = check_plan(TINY, TINY / "orders.csv", tmp_path / "plan")
    assert report.total_cost == pytest.approx(plan.summary.total_cost)
    assert report.shipments == 4


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    """A plan that cannot be written leaves the target as it was and no scratch folder."""
    out = tmp_path / "plan"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    plan = _tiny_plan()
    bad = Plan(
        shipments=plan.shipments.assign(zone=[object()] * len(plan.shipments)),
        lines=plan.lines,
        summary=plan.summary,
        assign=plan.assign,
    )
    with pytest.raises(Exception, match="object"):
        bad.write(out, format="parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
