"""Sites: the curated twelve first, then real US cities spread where people are."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dom.generate import CURATED
from dom.generate.sites import fcs_frame, pick_sites
from dom.geo import haversine_miles
from tests.generate.contract import read_text_csv


def test_added_nodes_are_real_spread_cities(wide: Path) -> None:
    """Beyond the curated twelve, nodes are distinct cities at least 50 miles apart."""
    fcs = read_text_csv(wide / "fcs.csv")
    assert list(fcs["fc_id"][:12]) == [s.fc_id for s in CURATED]
    lat, lon = fcs["lat"].astype(float).to_numpy(), fcs["lon"].astype(float).to_numpy()
    for i in range(12, len(fcs)):
        others = np.delete(np.arange(len(fcs)), i)
        assert haversine_miles(lat[others], lon[others], lat[i], lon[i]).min() >= 50.0
    assert (fcs["kind"][12:] == "store").sum() == len(fcs[12:]) // 4


@pytest.mark.parametrize("n", [1, 5, 6, 12])
def test_up_to_twelve_nodes_are_the_curated_ones(n: int) -> None:
    """N <= 12 nodes are the first N curated sites, drawing nothing (a store comes in at six)."""
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    assert pick_sites(n, rng) == list(CURATED[:n])
    assert rng.bit_generator.state == state
    assert ("store" in {s.kind for s in CURATED[:n]}) == (n >= 6)


def test_added_sites_are_reproducible_and_well_formed() -> None:
    """One seed picks the same sites; added ids are unique and name their kind and state."""
    first = pick_sites(24, np.random.default_rng(7))
    assert first == pick_sites(24, np.random.default_rng(7))
    added = first[len(CURATED) :]
    assert len({s.fc_id for s in first}) == 24
    for site in added:
        prefix = "ST-" if site.kind == "store" else "FC-"
        assert site.fc_id.startswith(prefix) and site.fc_id.endswith(site.name[-2:])
        assert site.processing_days in (0, 1) and site.size > 0
        if site.kind == "store":
            assert 5.5 <= site.handling_cost <= 7.0 and site.processing_days == 1
            assert 0.05 <= site.size <= 0.10
        else:
            assert 2.4 <= site.handling_cost <= 3.2
    assert [s.kind for s in added] == ["store" if i % 4 == 3 else "warehouse" for i in range(12)]


def test_fcs_frame_has_the_contract_columns() -> None:
    """fcs.csv rows carry the sites in order, their capacity, and every node enabled."""
    frame = fcs_frame(list(CURATED[:3]), np.array([5, 6, 7]))
    assert list(frame.columns) == [
        "fc_id", "lat", "lon", "capacity_units", "handling_cost", "processing_days",
        "name", "kind", "enabled",
    ]  # fmt: skip
    assert list(frame["fc_id"]) == ["FC-ONT", "FC-EWR", "FC-DFW"]
    assert list(frame["capacity_units"]) == [5, 6, 7] and (frame["enabled"] == "true").all()
