"""The independent plan checker: accepts the hand-computed tiny plan, rejects each violation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.plancheck import check_plan

TINY = Path(__file__).resolve().parent / "data" / "tiny"
DELETE = object()

# A1 split: 2 TEE from EWR (1.0 lb -> 1 lb, zone 2, GROUND 5.40 + 1.50) and the MUG from RNO
# (1.2 lb -> 2 lb, 2,394 mi = zone 8, GROUND 8.80 + 1.00, eta 1 + 5 = 6 > 5: late 1 day, 5.00).
SPLIT_EDITS = [
    ("plan/shipments.csv", "S1,A1,EWR,GROUND,2,2.2,3,7.0,1.5,0,0.0,8.5,2\n",
     "S1,A1,EWR,GROUND,2,1.0,1,5.4,1.5,0,0.0,6.9,2\nS5,A1,RNO,GROUND,8,1.2,2,8.8,1.0,1,5.0,14.8,6\n"),
    ("plan/lines.csv", "A1,1,MUG,1,EWR,S1", "A1,1,MUG,1,RNO,S5"),
]  # fmt: skip
SPLIT_SUMMARY = {
    "shipments": 5,
    "shipping_cost": 37.6,
    "handling_cost": 8.0,
    "late_penalty": 20.0,
    "split_penalty": 2.0,
    "total_cost": 117.6,
    "gap": (117.6 - 100.0) / 117.6,
}


def broken_copy(tmp_path: Path, edits: list[tuple[str, str, str]], summary: dict[str, Any]) -> Path:
    """A copy of the tiny bundle and its plan with text edits and summary.json changes applied."""
    root = Path(shutil.copytree(TINY, tmp_path / "tiny"))
    for name, old, new in edits:
        path = root / name
        text = path.read_text()
        assert text.count(old) == 1, f"{old!r} is not once in {name}"
        path.write_text(text.replace(old, new))
    path = root / "plan" / "summary.json"
    doc = json.loads(path.read_text())
    for key, value in summary.items():
        if value is DELETE:
            del doc[key]
        else:
            doc[key] = value
    path.write_text(json.dumps(doc))
    return root


def test_hand_computed_plan_passes() -> None:
    """The plan computed by hand in tests/data/tiny/plan passes and its figures are recomputed."""
    report = check_plan(TINY, TINY / "orders.csv", TINY / "plan")
    assert (report.orders, report.lines, report.shipments) == (5, 7, 4)
    assert (report.units_filled, report.units_unfilled) == (7, 2)
    assert report.total_cost == pytest.approx(102.4)
    assert report.lower_bound == 100.0 and report.gap == pytest.approx(2.4 / 102.4)
    assert len(report.checks) == 7


def test_parquet_plan_and_latlon_orders_pass(tmp_path: Path) -> None:
    """The same plan as Parquet files, against the lat/lon orders file, passes."""
    for stem in ("shipments", "lines"):
        df = pd.read_csv(TINY / "plan" / f"{stem}.csv", dtype={"fc_id": str, "shipment_id": str})
        df.to_parquet(tmp_path / f"{stem}.parquet")
    shutil.copy(TINY / "plan" / "summary.json", tmp_path)
    report = check_plan(TINY, TINY / "orders_latlon.csv", tmp_path)
    assert report.total_cost == pytest.approx(102.4)


def test_split_order_pays_the_split_penalty(tmp_path: Path) -> None:
    """A1 in two shipments is feasible under the limit of 2 and costs one split penalty more."""
    root = broken_copy(tmp_path, SPLIT_EDITS, SPLIT_SUMMARY)
    report = check_plan(root, root / "orders.csv", root / "plan")
    assert report.shipments == 5 and report.total_cost == pytest.approx(117.6)


def test_plan_without_bound_passes(tmp_path: Path) -> None:
    """lower_bound null (a heuristic without a bound) is accepted and reported as None."""
    root = broken_copy(tmp_path, [], {"lower_bound": None, "gap": None})
    report = check_plan(root, root / "orders.csv", root / "plan")
    assert report.lower_bound is None and report.gap is None


SHIP_E5_FROM = [("plan/lines.csv", "E5,0,TEE,1,BOS,S4", "E5,0,TEE,1,{fc},S4"),
                ("plan/shipments.csv", "S4,E5,BOS,", "S4,E5,{fc},")]  # fmt: skip


def ship_e5_from(fc: str) -> list[tuple[str, str, str]]:
    """Edits moving order E5's shipment to node ``fc`` (costs left as they were)."""
    return [(name, old, new.format(fc=fc)) for name, old, new in SHIP_E5_FROM]


BROKEN_PLANS = [
    # edits, summary.json changes, the violation the checker must name
    ([("plan/lines.csv", "D4,0,RUG,2,,\n", "")], {}, "order lines missing from the plan"),
    ([("plan/lines.csv", "D4,0,RUG,2,,\n", "D4,0,RUG,2,,\nD4,0,RUG,2,,\n")], {},
     "appears more than once"),
    ([("plan/lines.csv", "D4,0,RUG,2,,\n", "D4,0,RUG,2,,\nZ9,0,TEE,1,,\n")], {},
     "lines not in the orders file"),
    ([("plan/lines.csv", "B2,0,GIFT,1", "B2,0,TEE,1")], {}, "sku differs"),
    ([("plan/lines.csv", "E5,0,TEE,1,BOS", "E5,0,TEE,2,BOS")], {}, "qty differs"),
    ([("plan/lines.csv", "D4,0,RUG,2,,", "D4,0,RUG,2,EWR,")], {}, "both set or both empty"),
    ([("plan/lines.csv", "C3,1,TEE,1,EWR,S3", "C3,1,TEE,1,EWR,S1")], {},
     "order C3 line 1 .* shipment S1, which is order A1"),
    ([("plan/lines.csv", "E5,0,TEE,1,BOS,S4", "E5,0,TEE,1,EWR,S4")], {},
     "is at EWR in shipment S4, which is order E5 from BOS"),
    ([("plan/lines.csv", "A1,1,MUG,1,EWR,S1", "A1,1,MUG,1,EWR,S5"),
      ("plan/shipments.csv", "S2,", "S5,A1,EWR,GROUND,2,1.2,2,5.8,1.5,0,0.0,7.3,2\nS2,")], {},
     "lines of order A1 at EWR are in 2 or more shipments"),
    ([("plan/lines.csv", "E5,0,TEE,1,BOS,S4", "E5,0,TEE,1,BOS,S7")], {},
     "shipment_id not in shipments"),
    ([("plan/shipments.csv", "S4,", "S4,E5,BOS,GROUND,5,0.5,1,6.9,3.0,2,10.0,19.9,3\nS4,")], {},
     "shipment_id repeated"),
    ([("plan/shipments.csv", "S4,", "S9,D4,RNO,GROUND,7,29.0,29,0,1.0,0,0,1.0,6\nS4,")], {},
     "no line ships in"),
    (ship_e5_from("DAL"), {}, "disabled node DAL ships"),
    (ship_e5_from("XXX"), {}, "unknown fc_id XXX"),
    ([("plan/shipments.csv", "S1,A1,EWR,GROUND,2,2.2,", "S1,A1,EWR,GROUND,2,2.0,")], {},
     "shipment S1 has weight_lb 2.0, recomputed 2.2"),
    ([("plan/shipments.csv", "S1,A1,EWR,GROUND,2,2.2,3,", "S1,A1,EWR,GROUND,2,2.2,2,")], {},
     "shipment S1 has billable_lb 2.0, recomputed 3.0"),
    ([("plan/shipments.csv", "S3,C3,EWR,GROUND,3,", "S3,C3,EWR,GROUND,2,")], {},
     "shipment S3 has zone 2.0, recomputed 3.0"),
    ([("plan/shipments.csv", "S3,C3,EWR,GROUND,", "S3,C3,EWR,TWO_DAY,")], {},
     "shipment S3 uses TWO_DAY but GROUND is cheapest"),
    ([("plan/shipments.csv", "6.9,3.0,2,10.0,19.9", "6.5,3.0,2,10.0,19.5")], {},
     "shipment S4 has price 6.5, recomputed 6.9"),
    ([("plan/shipments.csv", "7.0,1.0,0,0.0,8.0", "7.0,0.5,0,0.0,7.5")], {},
     "shipment S2 has handling_cost 0.5, recomputed 1.0"),
    ([("plan/shipments.csv", ",19.9,3", ",19.9,2")], {}, "shipment S4 has eta_days 2.0"),
    ([("plan/shipments.csv", "9.5,1.5,1,5.0", "9.5,1.5,0,5.0")], {},
     "shipment S3 has late_days 0.0, recomputed 1.0"),
    ([("plan/shipments.csv", "1.5,1,5.0,16.0", "1.5,1,4.0,16.0")], {},
     "shipment S3 has late_penalty 4.0, recomputed 5.0"),
    ([("plan/shipments.csv", ",8.5,2", ",8.6,2")], {}, "shipment S1 has ship_cost 8.6"),
    ([("plan/lines.csv", "D4,0,RUG,2,,", "D4,0,RUG,2,RNO,S9"),
      ("plan/shipments.csv", "S4,", "S9,D4,RNO,GROUND,7,29.0,29,0,1.0,0,0,1.0,6\nS4,")], {},
     "no service can carry shipment S9 .29 lb, zone 7"),
    ([("inventory.csv", "EWR,LAMP,2,0,", "EWR,LAMP,2,2,")], {},
     "EWR ships 1 units of LAMP but only 0 are available"),
    ([("inventory.csv", "RNO,MUG,10,1,", "RNO,MUG,1,1,")], {},
     "RNO ships 1 units of MUG but only 0 are available"),  # the MUG inside kit GIFT
    ([("fcs.csv", "RNO,39.5296,-119.8138,,", "RNO,39.5296,-119.8138,2,")], {},
     "RNO ships 3 units, capacity_units is 2"),  # one GIFT kit = 3 component units
    ([("fcs.csv", "EWR,40.7357,-74.1724,40,", "EWR,40.7357,-74.1724,4,")], {},
     "EWR ships 5 units, capacity_units is 4"),
    ([*SPLIT_EDITS, ("policy.yaml", "max_shipments_per_order: 2", "max_shipments_per_order: 1")],
     SPLIT_SUMMARY, "order A1 has 2 shipments, max_shipments_per_order is 1"),
    ([("plan/shipments.csv", "S3,C3,EWR,GROUND,3,6.5,7,", "S3,C3,EWR,GROUND,3,6.0,6,"),
      ("plan/lines.csv", "C3,1,TEE,1,EWR,S3", "C3,1,TEE,1,,")], {},
     r"ship_complete order C3 has 1 shipment\(s\) and 1 unfilled line"),
    ([], {"total_cost": 100.0}, "total_cost is 100.0, recomputed 102.4"),
    ([], {"units_unfilled": 1}, "units_unfilled is 1, recomputed 2"),
    ([], {"split_penalty": 2.0}, "split_penalty is 2.0, recomputed 0.0"),
    ([], {"lower_bound": 103.0}, "lower_bound 103.0 is above total_cost"),
    ([], {"gap": 0.5}, "gap is 0.5"),
    ([], {"method": DELETE}, r"keys \['method'\] are missing"),
    ([("plan/shipments.csv", "ship_cost,eta_days", "ship_cost,eta")], {},
     r"columns \['eta_days'\] are missing"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("edits", "summary", "violation"), BROKEN_PLANS, ids=[c[2][:48] for c in BROKEN_PLANS]
)
def test_broken_plan_is_caught(
    tmp_path: Path, edits: list[tuple[str, str, str]], summary: dict[str, Any], violation: str
) -> None:
    """Each deliberately broken plan (or bundle under it) fails with the violation named."""
    root = broken_copy(tmp_path, edits, summary)
    with pytest.raises(AssertionError, match=violation):
        check_plan(root, root / "orders.csv", root / "plan")
