"""Slotting files and pick lists built from a plan's lines."""

from __future__ import annotations

import filecmp
import runpy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dom.errors import InvalidInput, UnknownLocation, UnknownNode, UnknownSku
from warehouse_graph.layout import load_layout
from warehouse_graph.picklists import build_pick_lists, read_node_lines
from warehouse_graph.slotting import Slotting, load_slotting, make_slotting

ROOT = Path(__file__).resolve().parents[2]
LAYOUT = {
    "name": "test",
    "aisles": 6,
    "blocks": 2,
    "slots_per_block": 8,
    "slot_m": 1.0,
    "aisle_pitch_m": 3.0,
    "cross_aisle_m": 2.0,
    "depot": "front-left",
}


def write_plan(folder: Path, lines: list[tuple[str, str, int, str]]) -> Path:
    """A plan folder with lines.csv and shipments.csv from (order_id, sku, qty, fc_id) rows;
    an empty fc_id is an unfilled line."""
    folder.mkdir(parents=True, exist_ok=True)
    rows, line_no = [], {}
    for order, sku, qty, fc in lines:
        n = line_no[order] = line_no.get(order, -1) + 1
        rows.append((order, n, sku, qty, fc, f"{order}@{fc}" if fc else ""))
    table = pd.DataFrame(
        rows, columns=["order_id", "line_no", "sku", "qty", "fc_id", "shipment_id"]
    )
    table.to_csv(folder / "lines.csv", index=False)
    ships = table[table.fc_id != ""].drop_duplicates("shipment_id")
    ships[["shipment_id", "order_id", "fc_id"]].to_csv(folder / "shipments.csv", index=False)
    return folder


def test_make_slotting_puts_fast_movers_nearest_the_depot() -> None:
    """SKUs ranked by demand go to locations ranked by distance from the depot, two per place."""
    layout = load_layout(LAYOUT)
    rng = np.random.default_rng(0)
    skus = [f"S{i:03d}" for i in range(150)]
    demand = rng.integers(0, 50, len(skus))
    slotting = make_slotting(layout, skus, demand)
    rank = {s: d for s, d in zip(skus, demand, strict=True)}
    assert sorted(slotting.sku.tolist()) == sorted(skus)
    assert np.all(np.diff([rank[s] for s in slotting.sku.tolist()]) <= 0)
    depot = layout.distance_matrix(slotting.location.tolist())[0, 1:]
    assert np.all(np.diff(depot) >= 0)
    assert max(np.unique(slotting.location, return_counts=True)[1]) == 2


def test_make_slotting_rejects_too_many_skus() -> None:
    """More SKUs than faces is an error naming both counts."""
    layout = load_layout(LAYOUT)
    with pytest.raises(InvalidInput, match="200 SKUs do not fit 96 locations x 1"):
        make_slotting(layout, [f"S{i}" for i in range(200)], np.ones(200), skus_per_location=1)


def test_sample_slotting_is_reproduced_by_the_generator(tmp_path: Path) -> None:
    """data/warehouses is exactly what its generator writes from the sample bundle."""
    generate = runpy.run_path(str(ROOT / "data" / "warehouses" / "generate.py"))["generate"]
    folders = generate(ROOT / "data/sample/network", ROOT / "data/sample/orders.csv", tmp_path)
    assert len(folders) == 9
    for folder in folders:
        for name in ("layout.json", "slotting.csv"):
            checked_in = ROOT / "data" / "warehouses" / folder.name / name
            assert filecmp.cmp(folder / name, checked_in, shallow=False), checked_in


@pytest.mark.parametrize(
    ("text", "error", "match"),
    [
        ("sku,location\nTEE,A99-B1-S01\n", UnknownLocation, "row 1.*'A99-B1-S01'"),
        ("sku,location\nTEE,A01-B1-S01\nSOCK,A01-B1-S02\n", UnknownSku, "row 2.*'SOCK'"),
        ("sku,location\nTEE,A01-B1-S01\nTEE,A01-B1-S01\n", InvalidInput, "row 2.*listed twice"),
        ("sku,where\nTEE,A01-B1-S01\n", InvalidInput, "missing column 'location'"),
        ("sku,location\n,A01-B1-S01\n", InvalidInput, "row 1, column 'sku': empty value"),
        ("sku,location\n", InvalidInput, "no rows"),
    ],
)
def test_load_slotting_rejects_bad_rows(
    tmp_path: Path, text: str, error: type[Exception], match: str
) -> None:
    """Each bad slotting file fails naming the file, row and value."""
    path = tmp_path / "slotting.csv"
    path.write_text(text)
    with pytest.raises(error, match=match):
        load_slotting(path, load_layout(LAYOUT), known_skus=["TEE", "MUG"])


def test_pick_lists_one_per_shipment_with_kits_exploded(tmp_path: Path) -> None:
    """Only the node's filled lines count; a SKU twice in a shipment is one pick; kits explode."""
    plan = write_plan(
        tmp_path / "plan",
        [
            ("A1", "TEE", 2, "EWR"),
            ("A1", "MUG", 1, "RNO"),
            ("A1", "TEE", 1, "EWR"),
            ("B2", "GIFT", 2, "EWR"),
            ("C3", "MUG", 1, ""),
        ],
    )
    slotting = Slotting.from_rows(["TEE", "MUG"], ["A01-B1-S03", "A02-B2-S01"])
    lines = read_node_lines(plan, "EWR")
    lists = build_pick_lists(
        lines, slotting, load_layout(LAYOUT), kits={"GIFT": [("TEE", 2), ("MUG", 1)]}
    )
    assert lists.shipment_id.tolist() == ["A1@EWR", "B2@EWR"]
    assert lists.pick_ptr.tolist() == [0, 1, 3]
    assert lists.sku.tolist() == ["TEE", "TEE", "MUG"]
    assert lists.qty.tolist() == [3, 4, 2]
    assert lists.units.tolist() == [3, 6]
    assert lists.locations(1) == ["A01-B1-S03", "A02-B2-S01"]


def test_sku_in_several_locations_is_picked_nearest_the_list(tmp_path: Path) -> None:
    """A multi-location SKU comes from the candidate nearest the list's other picks or depot."""
    layout = load_layout(LAYOUT)
    slotting = Slotting.from_rows(["TEE", "TEE", "MUG"], ["A01-B1-S02", "A06-B2-S07", "A06-B2-S08"])
    plan = write_plan(
        tmp_path / "plan", [("A", "TEE", 1, "N"), ("B", "MUG", 1, "N"), ("B", "TEE", 1, "N")]
    )
    lists = build_pick_lists(read_node_lines(plan, "N"), slotting, layout)
    assert lists.locations(0) == ["A01-B1-S02"]
    assert lists.locations(1) == ["A06-B2-S08", "A06-B2-S07"]


HEADER = "order_id,line_no,sku,qty,fc_id,shipment_id\n"


@pytest.mark.parametrize(
    ("lines", "shipments", "error", "match"),
    [
        (HEADER + "A1,0,TEE,1,EWR,A1@EWR\n", None, UnknownNode, "no lines for node 'ORD'.*EWR"),
        (
            HEADER + "A1,0,TEE,1.5,ORD,A1@ORD\n",
            None,
            InvalidInput,
            "row 1, column 'qty': qty '1.5' is not a positive whole number",
        ),
        (HEADER + "A1,0,TEE,1,ORD,\n", None, InvalidInput, "row 1, column 'shipment_id'"),
        (
            HEADER + "A1,0,TEE,1,ORD,A1@ORD\n",
            "shipment_id,order_id,fc_id\nA1@ORD,A1,EWR\n",
            InvalidInput,
            "shipment 'A1@ORD' of order 'A1' at 'ORD' is order 'A1' at 'EWR' in shipments.csv",
        ),
        ("order_id,sku,qty\nA1,TEE,1\n", None, InvalidInput, "missing column 'line_no'"),
        (None, None, InvalidInput, "lines.csv: file not found"),
    ],
)
def test_read_node_lines_rejects_bad_plans(
    tmp_path: Path, lines: str | None, shipments: str | None, error: type[Exception], match: str
) -> None:
    """A plan without the node's lines, with bad values or mismatched shipments fails."""
    if lines is not None:
        (tmp_path / "lines.csv").write_text(lines)
    if shipments is not None:
        (tmp_path / "shipments.csv").write_text(shipments)
    with pytest.raises(error, match=match):
        read_node_lines(tmp_path, "ORD")


def test_unslotted_sku_is_named_with_its_plan_row(tmp_path: Path) -> None:
    """A plan line whose SKU has no location fails naming the SKU and the lines.csv row."""
    plan = write_plan(tmp_path / "plan", [("A1", "TEE", 1, "EWR"), ("A1", "RUG", 1, "EWR")])
    slotting = Slotting.from_rows(["TEE"], ["A01-B1-S01"])
    with pytest.raises(UnknownSku, match=r"lines.csv, row 2, column 'sku': SKU 'RUG' has no loc"):
        build_pick_lists(read_node_lines(plan, "EWR"), slotting, load_layout(LAYOUT))
