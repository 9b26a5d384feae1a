"""Load and validate order lines (contracts §2) from CSV or Parquet into :class:`dom.model.Orders`.

Vectorised checks (:mod:`dom.io.table`) over every row: ids, the limits of §2, SKUs and kits of
the network, one destination per row (coordinates win over a ZIP), and the same per-order values
(destination, promise, ship-complete, channel) on every row of an order (``docs/data.md``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dom.errors import UnknownSku, closest
from dom.geo import normalize_zip, zip_to_latlon
from dom.io.table import Table, read_table
from dom.model import (
    MAX_LINES_PER_ORDER,
    MAX_PROMISED_DAYS,
    MAX_QTY,
    Network,
    Orders,
    utc_seconds,
)

_ORDER_REQUIRED = ("order_id", "sku", "qty", "promised_days")
_ORDER_OPTIONAL = ("dest_zip", "dest_lat", "dest_lon", "ship_complete", "channel", "created_at")


def _times(t: Table) -> np.ndarray:
    """``created_at`` as datetime64[s] UTC (NaT where empty); a cell that is not an ISO-8601 time
    fails."""
    raw = t.df["created_at"]
    given = raw.ne("").to_numpy()
    parsed = utc_seconds(raw.where(given, None).to_numpy())
    bad = np.flatnonzero(given & np.isnat(parsed))
    if len(bad):
        t.fail(
            f"created_at {str(raw.iat[bad[0]])[:40]!r} is not a time",
            rows=bad,
            column="created_at",
            fix="give an ISO-8601 time such as 2026-03-02T14:05:00Z, or leave it empty",
        )
    return parsed


def _destinations(t: Table) -> tuple[np.ndarray, np.ndarray]:
    """(lat, lon) per row: the row's coordinates when given, else its ZIP's centroid."""
    df = t.df
    n = len(df)
    has_lat, has_lon = "dest_lat" in df, "dest_lon" in df
    if has_lat != has_lon:
        present, absent = ("dest_lat", "dest_lon") if has_lat else ("dest_lon", "dest_lat")
        t.fail(
            f"column '{present}' needs its partner '{absent}'",
            column=absent,
            fix=f"add a column '{absent}' (or use dest_zip alone)",
        )
    if not has_lat and "dest_zip" not in df:
        guess = closest("dest_zip", list(df.columns), cutoff=0.5)
        fix = f"rename column '{guess}' to 'dest_zip'" if guess else "add a column 'dest_zip'"
        t.fail(
            "no destination column: orders need dest_zip or dest_lat and dest_lon",
            column="dest_zip",
            fix=fix + " (or give dest_lat and dest_lon)",
        )
    lat, lon = np.full(n, np.nan), np.full(n, np.nan)
    use_coords = np.zeros(n, bool)
    if has_lat:
        lat_given, lon_given = df["dest_lat"].ne("").to_numpy(), df["dest_lon"].ne("").to_numpy()
        half = np.flatnonzero(lat_given != lon_given)
        if len(half):
            col = "dest_lon" if lat_given[half[0]] else "dest_lat"
            t.fail(
                f"{col} is empty while its partner is given",
                rows=half,
                column=col,
                fix="give both dest_lat and dest_lon, or neither and a dest_zip",
            )
        use_coords = lat_given
        lat = t.numbers("dest_lat", what="the latitude", low=-90, high=90, default=np.nan)
        lon = t.numbers("dest_lon", what="the longitude", low=-180, high=180, default=np.nan)
    need_zip = np.flatnonzero(~use_coords)
    if len(need_zip) == 0:
        return lat, lon
    zips = df["dest_zip"] if "dest_zip" in df else pd.Series([""] * n)
    empty = need_zip[zips.iloc[need_zip].eq("").to_numpy()]
    if len(empty):
        t.fail(
            "the row has no destination",
            rows=empty,
            column="dest_zip" if "dest_zip" in df else "dest_lat",
            fix="fill in dest_zip, or dest_lat and dest_lon",
        )
    uniq, inverse = np.unique(zips.iloc[need_zip].to_numpy(dtype=str), return_inverse=True)
    zlat, zlon = zip_to_latlon(uniq)
    unknown = np.flatnonzero(np.isnan(zlat)[inverse])
    if len(unknown):
        value = str(zips.iat[need_zip[unknown[0]]])
        shown = normalize_zip(pd.Series([value])).iat[0]
        t.fail(
            f"dest_zip '{value}' is not a known US ZIP code"
            + (f" (read as '{shown}')" if shown != value else ""),
            rows=need_zip[unknown],
            column="dest_zip",
            fix="check the ZIP (5 digits), or give dest_lat and dest_lon instead",
        )
    lat[need_zip], lon[need_zip] = zlat[inverse], zlon[inverse]
    return lat, lon


def _check_order_agreement(
    t: Table, codes: np.ndarray, order_ids: np.ndarray, columns: dict[str, np.ndarray]
) -> None:
    """All rows of one order carry the same per-order values (destination, promise, ...).

    The destination is compared as ``lat + 1j * lon`` so one comparison covers both coordinates.
    """
    first = np.full(len(order_ids), -1, np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]  # first row of each order
    for col, values in columns.items():
        base = values[first[codes]]
        bad = np.flatnonzero(values != base)
        if len(bad):
            r, f = bad[0], first[codes[bad[0]]]

            def show(v: Any) -> str:
                return f"({v.real:g}, {v.imag:g})" if isinstance(v, complex) else str(v)

            what = "destination" if values.dtype.kind == "c" else col
            t.fail(
                f"order '{order_ids[codes[r]]}' has {what} {show(values[r].item())} here but "
                f"{show(values[f].item())} at row {t.rownum[f]}",
                rows=bad,
                column=col,
                fix=f"give every row of an order the same {what}",
            )


def load_orders(path: str | Path, network: Network) -> Orders:
    """Read and validate order lines (contracts §2) from CSV, or Parquet by extension."""
    path = Path(path)
    t = read_table(path)
    t.check_columns(_ORDER_REQUIRED, _ORDER_OPTIONAL)
    if t.df.empty:
        t.fail("has no order lines", fix="add one row per order line under the header")
    order_col = t.ids("order_id", what="the order id")
    t.ids("sku", what="the SKU or kit id")
    items = t.lookup(
        "sku",
        pd.Index(network.item_ids),
        what="SKU",
        cls=UnknownSku,
        fix="use a SKU of skus.csv or a kit of kits.csv",
    )
    qty = t.numbers("qty", what="the units ordered", whole=True, low=1, high=MAX_QTY)
    promised = t.numbers(
        "promised_days",
        what="the promised delivery days",
        whole=True,
        low=0,
        high=MAX_PROMISED_DAYS,
    )
    lat, lon = _destinations(t)
    n = len(t.df)
    ship_complete = (
        t.flags("ship_complete", default=False) if "ship_complete" in t.df else np.zeros(n, bool)
    )
    channel = t.df["channel"].to_numpy(dtype=str) if "channel" in t.df else np.full(n, "")

    created = _times(t) if "created_at" in t.df else np.full(n, "NaT", "datetime64[s]")
    codes, uniques = pd.factorize(pd.Series(order_col), sort=False)
    order_ids = np.asarray(uniques, dtype=str)
    lines_per_order = np.bincount(codes, minlength=len(order_ids))
    long = np.flatnonzero(lines_per_order[codes] > MAX_LINES_PER_ORDER)
    if len(long):
        t.fail(
            f"order '{order_ids[codes[long[0]]]}' has {lines_per_order[codes[long[0]]]:,} lines",
            rows=long,
            column="order_id",
            fix=f"split it into orders of at most {MAX_LINES_PER_ORDER:,} lines",
        )
    _check_order_agreement(
        t,
        codes,
        order_ids,
        {
            "dest_lat" if "dest_lat" in t.df else "dest_zip": lat + 1j * lon,
            "promised_days": promised.astype(np.int64),
            "ship_complete": ship_complete,
            "channel": channel,
            "created_at": created.astype(np.int64),
        },
    )
    first = np.full(len(order_ids), -1, np.int64)
    first[codes[::-1]] = np.arange(n)[::-1]
    order = np.argsort(codes, kind="stable")  # lines grouped by order, file order within
    ptr = np.concatenate([[0], np.cumsum(lines_per_order)])
    return Orders(
        order_ids=order_ids,
        dest_lat=lat[first],
        dest_lon=lon[first],
        promised_days=promised.astype(np.int64)[first],
        ship_complete=ship_complete[first],
        channel=channel[first],
        line_ptr=ptr.astype(np.int64),
        line_item=items[order],
        line_qty=qty.astype(np.int64)[order],
        created_at=created[first],
        source=path,
    )
