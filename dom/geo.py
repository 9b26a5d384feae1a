"""US ZIP code coordinates, offline, vectorised.

The table is the ``zipcodes`` package's copy of the USPS ZIP list (42,789 codes with a centroid
each, active and retired alike: a retired ZIP still names a place). ``zipcodes.matching`` scans
the whole list per call, so the list is read once per process into a ``pandas.Index`` and looked
up for many ZIPs at a time with ``get_indexer``. Distances and zones belong to ``dom.costs``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import zipcodes


@dataclass(frozen=True, eq=False)
class ZipTable:
    """Every known 5-digit ZIP and its centroid, axis [zip]."""

    index: pd.Index  # str ZIP -> row
    lat: np.ndarray  # float64
    lon: np.ndarray  # float64


@cache
def zip_table() -> ZipTable:
    """The ZIP table, built once per process from the ``zipcodes`` package."""
    rows = zipcodes.list_all()
    return ZipTable(
        index=pd.Index([r["zip_code"] for r in rows]),
        lat=np.array([float(r["lat"]) for r in rows]),
        lon=np.array([float(r["long"]) for r in rows]),
    )


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
