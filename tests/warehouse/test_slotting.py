"""Slotting: velocity slotting, demand per SKU, slotting files and the sample warehouses."""

from __future__ import annotations

import filecmp
import runpy
from pathlib import Path

import numpy as np
import pytest

from dom.errors import InvalidInput, UnknownLocation, UnknownSku
from tests.warehouse.plans import SMALL
from warehouse_graph import load_slotting, make_slotting, sku_demand

ROOT = Path(__file__).resolve().parents[2]


def test_make_slotting_puts_fast_movers_nearest_the_depot() -> None:
    """SKUs ranked by demand go to locations ranked by distance from the depot, two per place."""
    layout = SMALL
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
    with pytest.raises(InvalidInput, match="200 SKUs do not fit 96 locations x 1"):
        make_slotting(SMALL, [f"S{i}" for i in range(200)], np.ones(200), skus_per_location=1)


def test_sku_demand_counts_kit_lines_as_their_components() -> None:
    """Units per SKU in catalogue order; a kit line adds kits x units per kit to each part."""
    demand = sku_demand(
        ["TEE", "MUG", "SOCK"],
        ["TEE", "GIFT", "MUG", "TEE"],
        [1, 2, 5, 3],
        kits={"GIFT": [("TEE", 2), ("MUG", 1)]},
    )
    assert demand.tolist() == [1 + 4 + 3, 2 + 5, 0]
    assert sku_demand(["TEE"], ["TEE", "TEE"], [2, 3]).tolist() == [5]
    with pytest.raises(UnknownSku, match="'RUG'"):
        sku_demand(["TEE"], ["RUG"], [1])


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
        load_slotting(path, SMALL, known_skus=["TEE", "MUG"])
