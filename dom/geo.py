"""US ZIP code coordinates, offline, vectorised.

The table is the ``zipcodes`` package's copy of the USPS ZIP list (42,789 codes with a centroid
each, active and retired alike: a retired ZIP still names a place). ``zipcodes.matching`` scans
the whole list per call, so the list is read once per process into a ``pandas.Index`` and looked
up for many ZIPs at a time with ``get_indexer``. Reading the list costs about a second (42,789
Python dicts), so the arrays are also kept in a small ``.npz`` under the user's cache folder
(``$XDG_CACHE_HOME`` or ``~/.cache``), keyed by the package version; a cache that cannot be read
or written is simply rebuilt. The great-circle distance of contracts §1 (haversine, earth radius
3958.8 mi) is here too; zones belong to ``dom.costs``.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import zipcodes

EARTH_RADIUS_MI = 3958.8


@dataclass(frozen=True, eq=False)
class ZipTable:
    """Every known 5-digit ZIP and its centroid, axis [zip]."""

    index: pd.Index  # str ZIP -> row
    lat: np.ndarray  # float64
    lon: np.ndarray  # float64


def _cache_file() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "dom-optimizer" / f"zipcodes-{zipcodes.__version__}.npz"


@cache
def zip_table() -> ZipTable:
    """The ZIP table, built once per process (from the disk cache when it is there)."""
    path = _cache_file()
    try:
        with np.load(path) as saved:
            return ZipTable(index=pd.Index(saved["zip"]), lat=saved["lat"], lon=saved["lon"])
    except (OSError, KeyError, ValueError):
        pass
    rows = zipcodes.list_all()
    zips = np.array([r["zip_code"] for r in rows])
    lat = np.array([float(r["lat"]) for r in rows])
    lon = np.array([float(r["long"]) for r in rows])
    try:  # write then rename, so a concurrent reader never sees half a file
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as tmp:
            np.savez(tmp, zip=zips, lat=lat, lon=lon)
        os.replace(tmp.name, path)
    except OSError:
        pass
    return ZipTable(index=pd.Index(zips), lat=lat, lon=lon)


def normalize_zip(zips: pd.Series) -> pd.Series:
    """ZIP text as 5 digits: ``12345-6789`` keeps its first five; 3–4 digits are left-padded.

    A spreadsheet that stored ZIPs as numbers turns ``02134`` into ``2134`` (and ``00501`` into
    ``501``); padding restores them. Anything else is left as written and fails the lookup.
    """
    text = zips.astype(str).str.strip()
    text = text.str.replace(r"^(\d{5})-\d{4}$", r"\1", regex=True)
    text = text.str.replace(r"\.0$", "", regex=True)  # a float column from a spreadsheet
    short = text.str.fullmatch(r"\d{3,4}")
    return text.where(~short, text.str.zfill(5))


def zip_to_latlon(zips: pd.Series | np.ndarray | list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Centroid (lat, lon) of each ZIP after :func:`normalize_zip`; NaN where the ZIP is unknown."""
    table = zip_table()
    where = table.index.get_indexer(pd.Index(normalize_zip(pd.Series(zips, dtype=object))))
    known = where >= 0
    lat = np.where(known, table.lat[where], np.nan)
    lon = np.where(known, table.lon[where], np.nan)
    return lat, lon


def haversine_miles(
    lat1: np.ndarray | float,
    lon1: np.ndarray | float,
    lat2: np.ndarray | float,
    lon2: np.ndarray | float,
) -> np.ndarray:
    """Great-circle distance in miles (haversine, earth radius 3958.8 mi); broadcasts."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_MI * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))
