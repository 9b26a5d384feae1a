"""ZIP centroids: vectorised lookup, spreadsheet-mangled ZIPs, and the on-disk cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import zipcodes

from dom.geo import normalize_zip, zip_table, zip_to_latlon


def test_lookup_matches_the_zipcodes_package() -> None:
    """Many ZIPs at once give the centroids zipcodes.matching gives one at a time."""
    zips = ["89501", "02134", "10001", "99501"]
    lat, lon = zip_to_latlon(zips)
    for z, la, lo in zip(zips, lat, lon, strict=True):
        (row,) = zipcodes.matching(z)
        assert (la, lo) == (float(row["lat"]), float(row["long"]))


def test_unknown_zip_is_nan() -> None:
    """A ZIP the table does not hold comes back as NaN, not as an exception."""
    lat, lon = zip_to_latlon(["99999", "abcde", "10001"])
    assert np.isnan(lat[:2]).all() and np.isnan(lon[:2]).all() and not np.isnan(lat[2])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("02134", "02134"), (" 2134 ", "02134"), ("501", "00501"), ("2134.0", "02134"),
     ("02134-0001", "02134"), ("12", "12"), ("123456", "123456")],
)  # fmt: skip
def test_normalize_zip(raw: str, expected: str) -> None:
    """ZIP+4 keeps five digits, 3-4 digits and float text are repaired, the rest left alone."""
    assert normalize_zip(pd.Series([raw])).iat[0] == expected


def test_table_is_cached_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first build writes the cache; a fresh build reads it back identically."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = zip_table.__wrapped__()
    (cached,) = (tmp_path / "dom-optimizer").glob("zipcodes-*.npz")
    loaded = zip_table.__wrapped__()
    assert cached.stat().st_size > 0 and len(loaded.index) == len(built.index) == 42_789
    assert loaded.index.equals(built.index)
    np.testing.assert_array_equal(loaded.lat, built.lat)
