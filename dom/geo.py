"""US ZIP code coordinates, offline, vectorised.

The table is the ``zipcodes`` package's copy of the USPS ZIP list (42,789 codes with a centroid
each, active and retired alike: a retired ZIP still names a place), with a flag for the codes
that take parcels (``ZipTable.deliverable``, what ``dom.generate`` draws destinations from). It is
the only reader of that list. ``zipcodes.matching`` scans the whole list per call, so the list is
read once per process into a ``pandas.Index`` and looked up for many ZIPs at a time with
``get_indexer``. Reading the list is slow (a Python dict per code; docs/service.md, Running it),
so the arrays are also kept in a small ``.npz`` under the user's cache folder
(``$XDG_CACHE_HOME`` or ``~/.cache``), keyed by the package version and the table's layout; a
cache that cannot be read or written is simply rebuilt. The great-circle distance of contracts §1
(haversine, earth radius 3958.8 mi) is here too; zones belong to ``dom.costs``.
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
# State codes (of ZIPs and of geonames) outside the 50 states and DC: territories, freely
# associated states and military post offices
NON_STATE_CODES = frozenset({"AA", "AE", "AP", "AS", "FM", "GU", "MH", "MP", "PR", "PW", "VI"})
# Layout of the cached arrays: a new field means a new file, so an old cache is never read
_CACHE_LAYOUT = "v2"


@dataclass(frozen=True, eq=False)
class ZipTable:
    """Every known 5-digit ZIP and its centroid, axis [zip]."""

    index: pd.Index  # str ZIP -> row
    lat: np.ndarray  # float64
    lon: np.ndarray  # float64
    # bool: active STANDARD codes of the 50 states and DC; PO-box, unique-organisation and
    # military codes take no parcels from the carriers modelled here
    deliverable: np.ndarray


def _cache_file() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    name = f"zipcodes-{zipcodes.__version__}-{_CACHE_LAYOUT}.npz"
    return Path(root) / "dom-optimizer" / name


@cache
def zip_table() -> ZipTable:
    """The ZIP table, built once per process (from the disk cache when it is there)."""
    path = _cache_file()
    try:
        with np.load(path) as saved:
            return ZipTable(
                index=pd.Index(saved["zip"]),
                lat=saved["lat"],
                lon=saved["lon"],
                deliverable=saved["deliverable"],
            )
    except (OSError, KeyError, ValueError):
        pass
    rows = zipcodes.list_all()
    zips = np.array([r["zip_code"] for r in rows])
    lat = np.array([float(r["lat"]) for r in rows])
    lon = np.array([float(r["long"]) for r in rows])
    deliverable = np.array(
        [
            bool(r["active"])
            and r["zip_code_type"] == "STANDARD"
            and r["state"] not in NON_STATE_CODES
            for r in rows
        ],
        dtype=bool,
    )
    try:  # write then rename, so a concurrent reader never sees half a file
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as tmp:
            np.savez(tmp, zip=zips, lat=lat, lon=lon, deliverable=deliverable)
        os.replace(tmp.name, path)
    except OSError:
        pass
    return ZipTable(index=pd.Index(zips), lat=lat, lon=lon, deliverable=deliverable)


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


@cache
def _zip_rows() -> dict[str, int]:
    """Row of each ZIP of :func:`zip_table` (all 5 digits, so already normalised): one order's
    ZIP is then a dict look-up instead of a vectorised pandas one."""
    zips = zip_table().index.tolist()
    return dict(zip(zips, range(len(zips)), strict=True))


def locate_zip(value: str) -> tuple[float, float] | None:
    """Centroid (lat, lon) of one ZIP (normalised as :func:`normalize_zip` does); None if
    unknown."""
    row = _zip_rows().get(value)
    if row is not None:
        table = zip_table()
        return float(table.lat[row]), float(table.lon[row])
    lat, lon = zip_to_latlon([value])
    return None if np.isnan(lat[0]) else (float(lat[0]), float(lon[0]))
