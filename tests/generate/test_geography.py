"""Population weights of deliverable ZIPs, US cities, and the ZIP table they come from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import zipcodes

from dom.generate import US_POPULATION, population_weights
from dom.generate.geography import city_table, nearest_population_share, unit_vectors
from dom.geo import NON_STATE_CODES, haversine_miles, zip_table


def test_zip_weights_add_up_to_the_census() -> None:
    """ZIP weights total the 2020 population; 50 miles around Chicago hold about its metro share."""
    zips, lat, lon, weight = population_weights()
    assert len(zips) > 29_000 and (np.char.str_len(zips.astype(str)) == 5).all()
    assert weight.sum() == pytest.approx(US_POPULATION, rel=1e-9)
    chicago = weight[haversine_miles(lat, lon, 41.8781, -87.6298) < 50].sum() / weight.sum()
    assert 0.02 < chicago < 0.04


def test_weighted_zips_are_the_deliverable_ones_in_zip_order() -> None:
    """The weighted ZIPs are exactly the table's deliverable rows, sorted, with their centroids."""
    table = zip_table()
    weights = population_weights()
    deliverable = np.asarray(table.index, dtype=str)[table.deliverable]
    assert (np.sort(deliverable) == weights.zip).all()
    assert (weights.zip[:-1] < weights.zip[1:]).all()
    rows = table.index.get_indexer(pd.Index(weights.zip))
    assert (table.lat[rows] == weights.lat).all() and (table.lon[rows] == weights.lon).all()
    assert (weights.weight > 0).all()


def test_deliverable_means_active_standard_and_in_the_states() -> None:
    """A ZIP is deliverable when it is active, STANDARD and in the 50 states or DC."""
    table = zip_table()
    expected = {
        r["zip_code"]
        for r in zipcodes.list_all()
        if r["active"] and r["zip_code_type"] == "STANDARD" and r["state"] not in NON_STATE_CODES
    }
    assert set(np.asarray(table.index, dtype=str)[table.deliverable]) == expected
    assert len(expected) == 29_673  # zipcodes 3.0.0, as docs/data.md says
    assert table.deliverable.dtype == bool and len(table.deliverable) == len(table.index)


def test_deliverable_flag_survives_the_disk_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table read back from the cache has the same deliverable flags as a freshly built one."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = zip_table.__wrapped__()
    (cached,) = (tmp_path / "dom-optimizer").glob("zipcodes-*.npz")
    loaded = zip_table.__wrapped__()
    np.testing.assert_array_equal(loaded.deliverable, built.deliverable)
    assert "-v2" in cached.name  # a cache without the flag (the old layout) is never read


def test_cities_are_in_the_states() -> None:
    """The city table holds thousands of US places of the 50 states and DC, none elsewhere."""
    cities = city_table()
    assert len(cities.name) > 3000
    assert not set(cities.state) & NON_STATE_CODES and "DC" in set(cities.state)
    assert (cities.population >= 15_000).all()
    assert len(set(map(len, cities))) == 1  # one row per city in every column


def test_unit_vector_dots_are_cosines_of_the_distance() -> None:
    """The dot of two unit vectors is the cosine of their great-circle angle."""
    lat, lon = np.array([41.8781, 34.0522]), np.array([-87.6298, -118.2437])
    v = unit_vectors(lat, lon)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0)
    miles = haversine_miles(lat[0], lon[0], lat[1], lon[1])
    assert v[0] @ v[1] == pytest.approx(np.cos(miles / 3958.8), rel=1e-12)


def test_nearest_population_share_sums_to_one() -> None:
    """Shares of the population nearest to each point add up to 1; a lone point gets it all."""
    share = nearest_population_share(
        np.array([40.71, 34.05, 41.88]), np.array([-74.0, -118.24, -87.63])
    )
    assert share.sum() == pytest.approx(1.0) and (share > 0.1).all()
    assert nearest_population_share(np.array([39.0]), np.array([-95.0])) == pytest.approx([1.0])
