"""Pick lists: a plan's lines at one node, one list per shipment, kits exploded, bad plans."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dom.errors import InvalidInput, UnknownNode, UnknownSku
from tests.warehouse.plans import SMALL, write_plan
from warehouse_graph import Slotting, build_pick_lists, read_node_lines


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
    lists = build_pick_lists(lines, slotting, SMALL, kits={"GIFT": [("TEE", 2), ("MUG", 1)]})
    assert lists.shipment_id.tolist() == ["A1@EWR", "B2@EWR"]
    assert lists.pick_ptr.tolist() == [0, 1, 3]
    assert lists.sku.tolist() == ["TEE", "TEE", "MUG"]
    assert lists.qty.tolist() == [3, 4, 2]
    assert lists.units.tolist() == [3, 6]
    assert lists.locations(1) == ["A01-B1-S03", "A02-B2-S01"]


def test_parquet_plan_gives_the_same_pick_lists(tmp_path: Path) -> None:
    """A plan written as Parquet (dom allocate --format parquet) reads like its CSV."""
    csv_plan = write_plan(tmp_path / "csv", [("A1", "TEE", 2, "EWR"), ("B2", "MUG", 1, "")])
    parquet_plan = tmp_path / "parquet"
    parquet_plan.mkdir()
    table = pd.read_csv(csv_plan / "lines.csv", keep_default_na=False)
    table.replace({"": None}).to_parquet(parquet_plan / "lines.parquet")
    slotting = Slotting.from_rows(["TEE", "MUG"], ["A01-B1-S03", "A02-B2-S01"])
    lists = [
        build_pick_lists(read_node_lines(plan, "EWR"), slotting, SMALL)
        for plan in (csv_plan, parquet_plan)
    ]
    assert lists[0].shipment_id.tolist() == lists[1].shipment_id.tolist() == ["A1@EWR"]
    assert lists[0].qty.tolist() == lists[1].qty.tolist() == [2]


def test_sku_in_several_locations_is_picked_nearest_the_list(tmp_path: Path) -> None:
    """A multi-location SKU comes from the candidate nearest the list's other picks or depot."""
    slotting = Slotting.from_rows(["TEE", "TEE", "MUG"], ["A01-B1-S02", "A06-B2-S07", "A06-B2-S08"])
    plan = write_plan(
        tmp_path / "plan", [("A", "TEE", 1, "N"), ("B", "MUG", 1, "N"), ("B", "TEE", 1, "N")]
    )
    lists = build_pick_lists(read_node_lines(plan, "N"), slotting, SMALL)
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


def test_bad_values_are_named_with_their_row_in_the_file(tmp_path: Path) -> None:
    """A bad line among other nodes' lines is named by its own row of lines.csv."""
    (tmp_path / "lines.csv").write_text(
        HEADER + "A1,0,TEE,1,EWR,A1@EWR\nB2,0,TEE,1,ORD,B2@ORD\nB2,1,MUG,x,ORD,B2@ORD\n"
    )
    with pytest.raises(InvalidInput, match="row 3, column 'qty': qty 'x'"):
        read_node_lines(tmp_path, "ORD")


def test_unslotted_sku_is_named_with_its_plan_row(tmp_path: Path) -> None:
    """A plan line whose SKU has no location fails naming the SKU and the lines.csv row."""
    plan = write_plan(tmp_path / "plan", [("A1", "TEE", 1, "EWR"), ("A1", "RUG", 1, "EWR")])
    slotting = Slotting.from_rows(["TEE"], ["A01-B1-S01"])
    with pytest.raises(UnknownSku, match=r"lines.csv, row 2, column 'sku': SKU 'RUG' has no loc"):
        build_pick_lists(read_node_lines(plan, "EWR"), slotting, SMALL)
