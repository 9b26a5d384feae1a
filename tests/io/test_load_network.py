"""Loading network bundles (contracts §1): the fields of dom.model, and every bad-input path."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from dom.errors import InvalidInput, UnknownNode, UnknownSku
from dom.io import load_network, load_orders
from tests.io.bundles import TINY, edit


def test_tiny_bundle_fills_every_field() -> None:
    """The tiny bundle loads into dense arrays with the defaults dom.model documents."""
    net = load_network(TINY)
    assert list(net.node_ids) == ["EWR", "RNO", "BOS", "DAL"]
    assert list(net.node_kinds) == ["warehouse", "warehouse", "store", "warehouse"]  # DAL: default
    assert list(net.node_names)[2] == "Boston Back Bay store"
    np.testing.assert_array_equal(net.capacity, [40, np.inf, 3, 100])  # RNO empty: unlimited
    np.testing.assert_array_equal(net.handling_cost, [1.5, 1.0, 3.0, 1.25])
    np.testing.assert_array_equal(net.processing_days, [1, 1, 0, 1])
    np.testing.assert_array_equal(net.enabled, [True, True, True, False])
    assert net.node_index == {"EWR": 0, "RNO": 1, "BOS": 2, "DAL": 3}
    assert list(net.sku_ids) == ["TEE", "MUG", "LAMP", "RUG"]
    np.testing.assert_array_equal(net.weight_lb, [0.5, 1.2, 6.0, 14.5])
    assert net.kit_index == {"GIFT": 0}
    np.testing.assert_array_equal(net.kit_ptr, [0, 2])
    np.testing.assert_array_equal(net.kit_comp_sku, [0, 1])
    np.testing.assert_array_equal(net.kit_comp_qty, [2, 1])
    assert net.on_hand[0, 0] == 10 and net.safety_stock[0, 0] == 2 and net.reorder_point[0, 0] == 5
    assert net.on_hand[2, 2] == 0 and net.reorder_point[0, 2] == -1  # no row / empty cell
    assert net.available()[3].sum() == 0  # DAL is disabled
    np.testing.assert_array_equal(net.zone_ids, [2, 3, 4, 5, 6, 7, 8])
    assert net.zone_min[0] == 0 and net.zone_max[-1] == np.inf  # empty max_miles: no limit
    assert list(net.service_names) == ["GROUND", "NEXT_DAY", "TWO_DAY"]
    assert net.transit_days[1, 6] == -1  # NEXT_DAY has no zone 8 row
    assert net.transit_days[0, 3] == 3
    assert net.max_billable_lb == 20
    assert net.policy.max_shipments_per_order == 2 and net.policy.split_penalty == 2.0


def test_rate_price_is_the_smallest_breakpoint_at_or_above() -> None:
    """rate_price[s, z, b] is the price of the smallest breakpoint >= b; inf where not offered."""
    net = load_network(TINY)
    ground_z2 = net.rate_price[0, 0]
    assert ground_z2[0] == np.inf  # billable weight is at least 1
    assert ground_z2[1] == 5.40 and ground_z2[2] == 5.80
    assert ground_z2[3] == ground_z2[5] == 7.00  # 3 lb bills at the 5 lb breakpoint
    assert ground_z2[11] == ground_z2[20] == 13.00
    assert np.all(np.isinf(net.rate_price[1, 6]))  # NEXT_DAY zone 8: not offered


def test_kits_file_is_optional(bundle: Path) -> None:
    """Without kits.csv the bundle has no kits."""
    (bundle / "kits.csv").unlink()
    net = load_network(bundle)
    assert net.num_kits == 0 and list(net.kit_ptr) == [0]


def test_rates_of_a_zone_without_transit_days_are_not_used(bundle: Path) -> None:
    """A rates.csv zone that services.csv does not offer stays inf (contract: not offered)."""
    edit(bundle / "rates.csv", "NEXT_DAY,7,20,54.00\n", "NEXT_DAY,7,20,54.00\nNEXT_DAY,8,1,9.00\n")
    net = load_network(bundle)
    assert np.all(np.isinf(net.rate_price[1, 6]))


def test_cells_are_stripped_and_blank_lines_skipped(bundle: Path) -> None:
    """Blanks around cells and empty lines do not matter."""
    edit(bundle / "skus.csv", "MUG,1.2\n", " MUG , 1.2 \n\n")
    assert load_network(bundle).sku_index["MUG"] == 1


BAD_BUNDLES = [
    # file, old text, new text, exception, message pattern, data row, column
    ("fcs.csv", "handling_cost,", "handlng_cost,", InvalidInput,
     "required column 'handling_cost' is missing.*rename column 'handlng_cost'", None,
     "handling_cost"),
    ("fcs.csv", "DAL,32.7767", "EWR,32.7767", InvalidInput,
     "duplicate fc_id .*first appears at row 1", 4, "fc_id"),
    ("fcs.csv", "RNO,39.5296", "RNO,139.5296", InvalidInput,
     "lat '139.5296' is out of range.*file line 3", 2, "lat"),
    ("fcs.csv", "71.0810,3,", "71.0810,-3,", InvalidInput,
     "capacity_units '-3' is out of range", 3, "capacity_units"),
    ("fcs.csv", "1.00,1,Reno", "1.00,1.5,Reno", InvalidInput,
     "processing_days '1.5' is not a whole number", 2, "processing_days"),
    ("fcs.csv", "store,true", "depot,true", InvalidInput,
     "kind 'depot' is not a node kind", 3, "kind"),
    ("fcs.csv", ",,false", ",,maybe", InvalidInput, "enabled 'maybe' is not true or false", 4,
     "enabled"),
    ("fcs.csv", ",1.25,", ",nan,", InvalidInput, "handling_cost 'nan' is not a number", 4,
     "handling_cost"),
    ("fcs.csv", "BOS,42.3503", "BOS,", InvalidInput, "lat is empty", 3, "lat"),
    ("skus.csv", "LAMP,6.0", "LAMP,0", InvalidInput,
     "weight_lb '0' is out of range.*must be above 0", 3, "weight_lb"),
    ("skus.csv", "RUG,14.5", "MUG,14.5", InvalidInput, "duplicate sku", 4, "sku"),
    ("skus.csv", "MUG,1.2", "MUG,1.2,9", InvalidInput, "cannot parse as CSV", None, None),
    ("kits.csv", "GIFT,MUG", "GIFT,MUGG", UnknownSku, "unknown SKU 'MUGG'.*did you mean 'MUG'", 2,
     "component_sku"),
    ("kits.csv", "GIFT,MUG,1", "LAMP,MUG,1", InvalidInput, "kit_sku 'LAMP' is also a SKU", 2,
     "kit_sku"),
    ("kits.csv", "GIFT,MUG,1", "GIFT,TEE,1", InvalidInput, "duplicate kit component", 2,
     "kit_sku, component_sku"),
    ("kits.csv", "GIFT,TEE,2", "GIFT,TEE,0", InvalidInput, "qty '0' is out of range", 1, "qty"),
    ("kits.csv", "GIFT,MUG,1\n", "GIFT,MUG,1\nBOX,GIFT,1\n", InvalidInput,
     "component_sku 'GIFT' is itself a kit", 3, "component_sku"),
    ("inventory.csv", "BOS,MUG", "BOX,MUG", UnknownNode, "unknown fc_id 'BOX'.*did you mean 'BOS'",
     9, "fc_id"),
    ("inventory.csv", "RNO,RUG", "RNO,RUGG", UnknownSku, "unknown SKU 'RUGG'", 7, "sku"),
    ("inventory.csv", "EWR,MUG,4", "EWR,MUG,-4", InvalidInput, "on_hand '-4' is out of range", 2,
     "on_hand"),
    ("inventory.csv", "EWR,TEE,10,2", "EWR,TEE,10,2.5", InvalidInput,
     "safety_stock '2.5' is not a whole number", 1, "safety_stock"),
    ("inventory.csv", "DAL,RUG", "DAL,TEE", InvalidInput,
     r"duplicate inventory \(fc_id, sku\) pair.*first appears at row 10", 11, "fc_id, sku"),
    ("inventory.csv", "DAL,RUG", "DAL,GIFT", InvalidInput, "'GIFT' is a kit.*not stocked", 11,
     "sku"),
    ("zones.csv", "4,300,600", "4,310,600", InvalidInput,
     "zone 3 ends at 300 miles but zone 4 starts at 310: a gap", 2, "max_miles"),
    ("zones.csv", "3,150,300", "3,150,320", InvalidInput, "an overlap", 2, "max_miles"),
    ("zones.csv", "2,0,150", "2,10,150", InvalidInput, "zones start at 10 miles", 1,
     "min_miles"),
    ("zones.csv", "8,1800,", "7,1800,", InvalidInput, "duplicate zone", 7, "zone"),
    ("zones.csv", "5,600,1000", "5,600,600", InvalidInput,
     "max_miles 600 is not above min_miles 600", 4, "max_miles"),
    ("services.csv", "GROUND,8,5", "GROUND,9,5", InvalidInput, "zone 9 is not in zones.csv", 7,
     "zone"),
    ("services.csv", "TWO_DAY,8,2", "TWO_DAY,7,2", InvalidInput, "duplicate", 14,
     "service, zone"),
    ("services.csv", "NEXT_DAY,3,1", "NEXT_DAY,3,-1", InvalidInput,
     "transit_days '-1' is out of range", 16, "transit_days"),
    ("rates.csv", "GROUND,3,1,", "GRUOND,3,1,", InvalidInput,
     "unknown service 'GRUOND'.*did you mean 'GROUND'", 6, "service"),
    ("rates.csv", "TWO_DAY,5,10,23.00\n", "", InvalidInput,
     "rate card hole: TWO_DAY zone 5 has no price at 10 lb.*add the row 'TWO_DAY,5,10,<price>'",
     None, "weight_lb"),
    ("rates.csv", "GROUND,2,2,5.80", "GROUND,2,1,5.80", InvalidInput,
     r"duplicate \(service, zone, weight_lb\) rate", 2, "service, zone, weight_lb"),
    ("rates.csv", "GROUND,2,2,5.80", "GROUND,2,2,-5.80", InvalidInput,
     "price '-5.80' is out of range", 2, "price"),
    ("rates.csv", "GROUND,2,2,5.80", "GROUND,2,2.5,5.80", InvalidInput,
     "weight_lb '2.5' is not a whole number", 2, "weight_lb"),
    ("policy.yaml", "split_penalty: 2.0", "split_penalty: [2.0", InvalidInput,
     "not valid YAML at line 5", None, None),
    ("policy.yaml", "split_penalty:", "split_penalti:", InvalidInput,
     "key 'split_penalty' is missing.*rename 'split_penalti'", None, "split_penalty"),
    ("policy.yaml", "late_penalty_per_day: 5.0", "late_penalty_per_day: -5", InvalidInput,
     "late_penalty_per_day is -5.*from 0 to", None, "late_penalty_per_day"),
    ("policy.yaml", "max_shipments_per_order: 2", "max_shipments_per_order: 1.5", InvalidInput,
     "max_shipments_per_order is 1.5.*whole number from 1 to 1000", None,
     "max_shipments_per_order"),
    ("policy.yaml", "backorder_penalty_per_unit: 25.0", "backorder_penalty_per_unit: lots",
     InvalidInput, "backorder_penalty_per_unit is 'lots'", None, "backorder_penalty_per_unit"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("file", "old", "new", "exc", "pattern", "row", "column"),
    BAD_BUNDLES,
    ids=[f"{c[0]}:{c[4][:40]}" for c in BAD_BUNDLES],
)
def test_bad_bundle_names_file_row_and_column(
    bundle: Path,
    file: str,
    old: str,
    new: str,
    exc: type[InvalidInput],
    pattern: str,
    row: int | None,
    column: str | None,
) -> None:
    """Each broken file raises with a message naming the file, the data row and the column."""
    edit(bundle / file, old, new)
    with pytest.raises(exc, match=pattern) as info:
        load_network(bundle)
    err = info.value
    assert type(err) is exc
    assert err.file == str(bundle / file) and str(bundle / file) in str(err)
    assert err.row == row
    if row is not None:
        assert f"row {row}" in str(err)
    assert err.column == column
    if column is not None:
        assert f"column '{column}'" in str(err)
    assert err.fix, "every error says how to fix it"


def test_offered_zone_without_any_rate_is_a_hole(bundle: Path) -> None:
    """services.csv offering NEXT_DAY in zone 7 with no NEXT_DAY zone 7 rates is rejected."""
    rates = bundle / "rates.csv"
    rates.write_text(re.sub(r"NEXT_DAY,7,.*\n", "", rates.read_text()))
    with pytest.raises(InvalidInput, match="NEXT_DAY is offered in zone 7 here") as info:
        load_network(bundle)
    assert info.value.file == str(bundle / "services.csv")
    assert info.value.row == 20 and info.value.column == "zone"


@pytest.mark.parametrize("name", ["fcs.csv", "skus.csv", "inventory.csv", "zones.csv",
                                  "services.csv", "rates.csv", "policy.yaml"])  # fmt: skip
def test_missing_bundle_file_is_named(bundle: Path, name: str) -> None:
    """A bundle without one of its required files names that file."""
    (bundle / name).unlink()
    with pytest.raises(InvalidInput, match="file not found") as info:
        load_network(bundle)
    assert info.value.file == str(bundle / name)


def test_header_only_file_is_rejected(bundle: Path) -> None:
    """A file with a header and no rows says so."""
    (bundle / "skus.csv").write_text("sku,weight_lb\n")
    with pytest.raises(InvalidInput, match="has no data rows"):
        load_network(bundle)


def test_policy_must_be_a_mapping(bundle: Path) -> None:
    """A policy.yaml that is a list, not key: value lines, is rejected."""
    (bundle / "policy.yaml").write_text("- 1\n- 2\n")
    with pytest.raises(InvalidInput, match="must be a mapping"):
        load_network(bundle)


def test_unlimited_shipments_policy(bundle: Path) -> None:
    """max_shipments_per_order: null means unlimited (None)."""
    edit(bundle / "policy.yaml", "max_shipments_per_order: 2", "max_shipments_per_order: null")
    assert load_network(bundle).policy.max_shipments_per_order is None


def test_sample_bundle_and_day_load() -> None:
    """The shipped sample bundle and its day of orders pass every check."""
    sample = Path(__file__).resolve().parents[2] / "data" / "sample"
    net = load_network(sample / "network")
    orders = load_orders(sample / "orders.csv", net)
    assert net.num_nodes == 12 and net.num_skus > 0 and net.num_kits > 0
    assert orders.num_orders > 0 and orders.line_ptr[-1] == orders.num_lines
    assert np.isfinite(net.rate_price[..., 1:]).any(axis=2).all(where=net.transit_days >= 0)
