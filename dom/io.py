"""Load and validate network bundles (contracts §1) and orders (contracts §2) into ``dom.model``.

Method: each file is read once as text (pandas), every column is parsed and checked with
vectorised pandas/numpy, and ids are mapped to dense ints with ``pandas.Index.get_indexer``. Python
loops run only over a handful of (service, zone) pairs and on the error path, to word a message.
One order as JSON (the routing service's hot path) takes no pandas: its SKU and kit ids are looked
up in the network's dicts and its ZIP in a dict of the ZIP table; "did you mean" hints are worked
out only on a miss.

Decisions this module makes where the contracts leave room:

- The first problem found raises :class:`dom.errors.InvalidInput` (or ``UnknownSku`` /
  ``UnknownNode``). Its ``row`` is the 1-based data row (header excluded, as ``dom.errors`` says);
  for CSV the message adds the file line a text editor shows (the header is line 1), and says how
  many other rows share the problem so one fix can cover them all.
- Cells are stripped of surrounding blanks; an empty cell means "not given"; fully blank lines are
  skipped but still counted in row numbers.
- ``dest_zip``: 5 digits; ``12345-6789`` keeps its first five; 3 or 4 digits are taken as a ZIP
  whose leading zeros a spreadsheet dropped and are left-padded (``2134`` -> ``02134``).
- A row with both ``dest_lat``/``dest_lon`` and ``dest_zip`` uses the coordinates; a row with only
  one of lat/lon is an error.
- ``zones.csv``: sorted by ``min_miles``, bands start at 0 and each ``max_miles`` equals the next
  ``min_miles`` (no gap, no overlap); an empty ``max_miles`` means no upper limit.
- Rate-card holes: a service's rates form a weight x zone table over the zones ``services.csv``
  offers it in. Every such zone must price every breakpoint the service has in any of them, so a
  lost row or a zone with transit days but no prices is an error. Rates for a zone without a
  ``services.csv`` row are not used (the contract calls that "not offered"). A weight between two
  breakpoints is not a hole: the next breakpoint up prices it, as the contract says.
- ``channel`` is free text (the contract's four values are the usual ones, not a closed list);
  ``created_at`` is accepted and not used.
"""

from __future__ import annotations

import difflib
import json
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from dom.errors import InvalidInput, UnknownNode, UnknownSku
from dom.geo import normalize_zip, zip_table, zip_to_latlon
from dom.model import Network, Orders, Policy

_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}
_KINDS = ("warehouse", "store")
_POLICY_KEYS = (
    "late_penalty_per_day",
    "backorder_penalty_per_unit",
    "split_penalty",
    "max_shipments_per_order",
)
_ORDER_REQUIRED = ("order_id", "sku", "qty", "promised_days")
_ORDER_OPTIONAL = ("dest_zip", "dest_lat", "dest_lon", "ship_complete", "channel", "created_at")


def _closest(name: str, candidates: Sequence[str] | pd.Index, cutoff: float = 0.6) -> str | None:
    """The candidate spelt most like ``name`` (case-insensitive), if any is close."""
    lower: dict[str, str] = {}
    for c in candidates:
        lower.setdefault(str(c).lower(), str(c))
    hit = difflib.get_close_matches(name.lower(), list(lower), n=1, cutoff=cutoff)
    return lower[hit[0]] if hit else None


@dataclass(frozen=True, eq=False)
class _Table:
    """One input file as stripped text cells, remembering which data row each row came from."""

    df: pd.DataFrame  # str cells, "" where empty; positional rows
    file: str
    rownum: np.ndarray  # int64 [row]: 1-based data row in the file
    has_lines: bool  # CSV: data row r is file line r + 1

    def fail(
        self,
        message: str,
        *,
        rows: np.ndarray | Sequence[int] | None = None,
        column: str | None = None,
        fix: str | None = None,
        cls: type[InvalidInput] = InvalidInput,
    ) -> NoReturn:
        """Raise ``cls`` naming this file, the first of ``rows`` (positional) and ``column``."""
        row = None
        if rows is not None and len(rows):
            row = int(self.rownum[int(rows[0])])
            if self.has_lines:
                message += f" (file line {row + 1})"
            if len(rows) > 1:
                message += f"; {len(rows) - 1} more row(s) have the same problem"
        raise cls(message, file=self.file, row=row, column=column, fix=fix)

    def check_columns(self, required: Sequence[str], optional: Sequence[str] = ()) -> None:
        """Every required column is present; an unknown column spelt like an expected one fails."""
        present = list(self.df.columns)
        unknown = [c for c in present if c not in required and c not in optional]
        for name in required:
            if name not in present:
                guess = _closest(name, unknown)
                fix = f"rename column '{guess}' to '{name}'" if guess else f"add a column '{name}'"
                self.fail(
                    f"required column '{name}' is missing (header: {', '.join(present)})",
                    column=name,
                    fix=fix,
                )
        missing_optional = [o for o in optional if o not in present]
        for col in unknown:
            guess = _closest(col, missing_optional, cutoff=0.75)
            if guess:
                self.fail(f"unknown column '{col}'", column=col, fix=f"rename it to '{guess}'")

    def text(self, col: str, *, what: str, required: bool = True) -> np.ndarray:
        """A text column as a str array; empty cells fail when ``required``."""
        raw = self.df[col]
        if required:
            empty = np.flatnonzero(raw.eq("").to_numpy())
            if len(empty):
                self.fail(f"{col} is empty", rows=empty, column=col, fix=f"fill in {what}")
        return raw.to_numpy(dtype=str)

    def numbers(
        self,
        col: str,
        *,
        what: str,
        whole: bool = False,
        low: float | None = None,
        low_open: bool = False,
        high: float | None = None,
        default: float | None = None,
    ) -> np.ndarray:
        """A numeric column as float64, range-checked; empty cells take ``default`` or fail."""
        raw = self.df[col]
        empty = raw.eq("").to_numpy()
        if default is None and empty.any():
            self.fail(
                f"{col} is empty", rows=np.flatnonzero(empty), column=col, fix=f"fill in {what}"
            )
        values = _to_float(raw)
        bad = np.flatnonzero(~empty & ~np.isfinite(values))
        if len(bad):
            self.fail(
                f"{col} '{raw.iat[bad[0]]}' is not a number",
                rows=bad,
                column=col,
                fix=f"write {what} as a plain number",
            )
        values[empty] = np.nan if default is None else default
        given = ~empty
        if whole:
            bad = np.flatnonzero(given & (values != np.floor(values)))
            if len(bad):
                self.fail(
                    f"{col} '{raw.iat[bad[0]]}' is not a whole number",
                    rows=bad,
                    column=col,
                    fix=f"{what} must be a whole number",
                )
        if low is not None:
            below = values <= low if low_open else values < low
            bad = np.flatnonzero(given & below)
            if len(bad):
                bound = f"above {low:g}" if low_open else f"at least {low:g}"
                self.fail(
                    f"{col} '{raw.iat[bad[0]]}' is out of range",
                    rows=bad,
                    column=col,
                    fix=f"{what} must be {bound}",
                )
        if high is not None:
            bad = np.flatnonzero(given & (values > high))
            if len(bad):
                self.fail(
                    f"{col} '{raw.iat[bad[0]]}' is out of range",
                    rows=bad,
                    column=col,
                    fix=f"{what} must be at most {high:g}",
                )
        return values

    def flags(self, col: str, *, default: bool) -> np.ndarray:
        """A true/false column (true/false, yes/no, 1/0, any case); empty cells take ``default``."""
        low = self.df[col].str.lower()
        is_true = low.isin(_TRUE).to_numpy()
        is_false = low.isin(_FALSE).to_numpy()
        bad = np.flatnonzero(~is_true & ~is_false & low.ne("").to_numpy())
        if len(bad):
            self.fail(
                f"{col} '{self.df[col].iat[bad[0]]}' is not true or false",
                rows=bad,
                column=col,
                fix="write true or false (or leave it empty)",
            )
        return np.where(is_true | is_false, is_true, default)

    def check_unique(self, cols: list[str], what: str) -> None:
        """No two rows share the key ``cols``."""
        dup = np.flatnonzero(self.df.duplicated(cols, keep="first").to_numpy())
        if len(dup):
            key = self.df.iloc[dup[0]][cols]
            first = int(np.argmax((self.df[cols] == key.to_numpy()).all(axis=1).to_numpy()))
            shown = ", ".join(f"{c}={key[c]}" for c in cols)
            self.fail(
                f"duplicate {what} ({shown}); it first appears at row {self.rownum[first]}",
                rows=dup,
                column=", ".join(cols),
                fix=f"keep one row per {what}",
            )

    def lookup(
        self,
        col: str,
        index: pd.Index,
        *,
        what: str,
        cls: type[InvalidInput],
        fix: str,
    ) -> np.ndarray:
        """Dense int codes of the ids in ``col`` against ``index``; an unknown id fails."""
        codes = index.get_indexer(pd.Index(self.df[col]))
        bad = np.flatnonzero(codes < 0)
        if len(bad):
            value = str(self.df[col].iat[bad[0]])
            guess = _closest(value, index) if len(index) <= 50_000 else None
            hint = f"did you mean '{guess}'? " if guess else ""
            self.fail(f"unknown {what} '{value}'", rows=bad, column=col, fix=hint + fix, cls=cls)
        return codes.astype(np.int64)


def _to_float(raw: pd.Series) -> np.ndarray:
    """Text cells as float64, NaN where empty or not a number.

    Arrow's cast is several times faster than ``pd.to_numeric`` but fails the whole column on one
    bad cell; then ``pd.to_numeric`` finds which.
    """
    try:
        arr = pa.array(raw, type=pa.string())
        arr = pc.if_else(pc.equal(arr, ""), None, arr)
        return np.array(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), np.float64)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, copy=True)


def _read_table(path: Path) -> _Table:
    """Read a CSV or Parquet file (by extension) as stripped text cells."""
    label = str(path)
    if not path.is_file():
        raise InvalidInput("file not found", file=label, fix="check the path and the file name")
    if path.suffix.lower() in (".parquet", ".pq"):
        try:
            df = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise InvalidInput(f"cannot read as Parquet: {exc}", file=label) from exc
        df = df.astype(object).where(df.notna(), "").astype(str)
        has_lines = False
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            try:
                df = pd.read_csv(
                    path, dtype=str, keep_default_na=False, skip_blank_lines=False, index_col=False
                )
            except pd.errors.EmptyDataError as exc:
                raise InvalidInput(
                    "the file is empty", file=label, fix="start it with a header row"
                ) from exc
            except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
                raise InvalidInput(
                    f"cannot parse as CSV: {str(exc).strip()}",
                    file=label,
                    fix="give every row as many comma-separated fields as the header",
                ) from exc
            except UnicodeDecodeError as exc:
                raise InvalidInput(
                    f"not UTF-8 text: {exc}", file=label, fix="save the file as UTF-8 CSV"
                ) from exc
        has_lines = True
    df.columns = [str(c).strip() for c in df.columns]
    dup_cols = [c for c in df.columns if list(df.columns).count(c) > 1]
    if dup_cols:
        raise InvalidInput(
            f"column '{dup_cols[0]}' appears twice in the header",
            file=label,
            column=dup_cols[0],
            fix="keep one column of each name",
        )
    df = df.apply(lambda c: c.str.strip()) if len(df.columns) else df
    blank = (df == "").all(axis=1).to_numpy() if len(df.columns) else np.zeros(len(df), bool)
    keep = np.flatnonzero(~blank)
    df = df.iloc[keep].reset_index(drop=True)
    return _Table(df=df, file=label, rownum=keep.astype(np.int64) + 1, has_lines=has_lines)


def _read_bundle_table(
    folder: Path, name: str, required: Sequence[str], optional: Sequence[str] = ()
) -> _Table:
    """Read one bundle file, check its columns and that it has data rows."""
    table = _read_table(folder / name)
    table.check_columns(required, optional)
    if table.df.empty:
        table.fail("has no data rows", fix=f"add at least one row under the header of {name}")
    return table


# ---------------------------------------------------------------------------------------------
# network bundle


def _load_nodes(folder: Path) -> dict[str, Any]:
    """``fcs.csv``: the node axis and its defaults (kind warehouse, enabled, no capacity limit)."""
    t = _read_bundle_table(
        folder,
        "fcs.csv",
        ["fc_id", "lat", "lon", "capacity_units", "handling_cost", "processing_days"],
        ["name", "kind", "enabled"],
    )
    ids = t.text("fc_id", what="a node id")
    t.check_unique(["fc_id"], "fc_id")
    kinds = t.df["kind"].str.lower() if "kind" in t.df else pd.Series([""] * len(t.df))
    kinds = kinds.where(kinds.ne(""), "warehouse")
    bad = np.flatnonzero(~kinds.isin(_KINDS).to_numpy())
    if len(bad):
        t.fail(
            f"kind '{t.df['kind'].iat[bad[0]]}' is not a node kind",
            rows=bad,
            column="kind",
            fix="write warehouse or store (or leave it empty for warehouse)",
        )
    return {
        "node_ids": ids,
        "node_names": t.df["name"].to_numpy(dtype=str) if "name" in t.df else np.full(len(ids), ""),
        "node_kinds": kinds.to_numpy(dtype=str),
        "lat": t.numbers("lat", what="the latitude in degrees", low=-90, high=90),
        "lon": t.numbers("lon", what="the longitude in degrees", low=-180, high=180),
        "capacity": t.numbers(
            "capacity_units",
            what="the units the node may ship per batch (empty: unlimited)",
            whole=True,
            low=0,
            default=np.inf,
        ),
        "handling_cost": t.numbers("handling_cost", what="the cost per shipment", low=0),
        "processing_days": t.numbers(
            "processing_days", what="the days to carrier hand-off", whole=True, low=0
        ).astype(np.int64),
        "enabled": t.flags("enabled", default=True)
        if "enabled" in t.df
        else np.ones(len(ids), bool),
        "node_index": {str(n): i for i, n in enumerate(ids)},
    }


def _load_skus(folder: Path) -> dict[str, Any]:
    """``skus.csv``: the SKU axis and unit weights."""
    t = _read_bundle_table(folder, "skus.csv", ["sku", "weight_lb"])
    ids = t.text("sku", what="a SKU id")
    t.check_unique(["sku"], "sku")
    weight = t.numbers("weight_lb", what="the unit weight in lb", low=0, low_open=True)
    return {
        "sku_ids": ids,
        "weight_lb": weight,
        "sku_index": {str(s): i for i, s in enumerate(ids)},
    }


def _load_kits(folder: Path, sku_index: pd.Index) -> dict[str, Any]:
    """``kits.csv`` (optional): kits in order of first appearance, components in CSR form."""
    if not (folder / "kits.csv").is_file():
        return {
            "kit_ids": np.array([], dtype=str),
            "kit_ptr": np.zeros(1, np.int64),
            "kit_comp_sku": np.zeros(0, np.int64),
            "kit_comp_qty": np.zeros(0, np.int64),
            "kit_index": {},
        }
    t = _read_table(folder / "kits.csv")
    t.check_columns(["kit_sku", "component_sku", "qty"])
    kit = t.text("kit_sku", what="the kit id")
    t.text("component_sku", what="the component SKU id")
    clash = np.flatnonzero(sku_index.get_indexer(pd.Index(kit)) >= 0)
    if len(clash):
        t.fail(
            f"kit_sku '{kit[clash[0]]}' is also a SKU in skus.csv",
            rows=clash,
            column="kit_sku",
            fix="give the kit an id of its own (a kit is not stocked)",
        )
    nested = np.flatnonzero(t.df["component_sku"].isin(set(kit)).to_numpy())
    if len(nested):
        t.fail(
            f"component_sku '{t.df['component_sku'].iat[nested[0]]}' is itself a kit",
            rows=nested,
            column="component_sku",
            fix="list the kit's SKUs directly (kits of kits are not supported)",
        )
    comp = t.lookup(
        "component_sku", sku_index, what="SKU", cls=UnknownSku, fix="add it to skus.csv"
    )
    qty = t.numbers("qty", what="units of the component per kit", whole=True, low=1)
    t.check_unique(["kit_sku", "component_sku"], "kit component")
    codes, kit_ids = pd.factorize(pd.Series(kit), sort=False)
    order = np.argsort(codes, kind="stable")
    ptr = np.concatenate([[0], np.cumsum(np.bincount(codes, minlength=len(kit_ids)))])
    return {
        "kit_ids": np.asarray(kit_ids, dtype=str),
        "kit_ptr": ptr.astype(np.int64),
        "kit_comp_sku": comp[order],
        "kit_comp_qty": qty[order].astype(np.int64),
        "kit_index": {str(k): i for i, k in enumerate(kit_ids)},
    }


def _load_inventory(
    folder: Path, node_index: pd.Index, sku_index: pd.Index, kit_ids: set[str]
) -> dict[str, Any]:
    """``inventory.csv`` as dense [node, sku] arrays (0, or -1 for reorder points, where absent)."""
    t = _read_bundle_table(
        folder, "inventory.csv", ["fc_id", "sku", "on_hand"], ["safety_stock", "reorder_point"]
    )
    t.text("fc_id", what="the node id")
    t.text("sku", what="the SKU id")
    node = t.lookup("fc_id", node_index, what="fc_id", cls=UnknownNode, fix="add it to fcs.csv")
    kits = np.flatnonzero(t.df["sku"].isin(kit_ids).to_numpy())
    if len(kits):
        t.fail(
            f"sku '{t.df['sku'].iat[kits[0]]}' is a kit, and kits are not stocked",
            rows=kits,
            column="sku",
            fix="stock the kit's component SKUs instead",
        )
    sku = t.lookup("sku", sku_index, what="SKU", cls=UnknownSku, fix="add it to skus.csv")
    t.check_unique(["fc_id", "sku"], "inventory (fc_id, sku) pair")
    shape = (len(node_index), len(sku_index))

    def dense(col: str, what: str, default: float | None, fill: int) -> np.ndarray:
        out = np.full(shape, fill, np.int64)
        if col in t.df:
            out[node, sku] = t.numbers(col, what=what, whole=True, low=0, default=default)
        return out

    return {
        "on_hand": dense("on_hand", "the units on hand", None, 0),
        "safety_stock": dense("safety_stock", "the safety stock in units (empty: 0)", 0, 0),
        "reorder_point": dense("reorder_point", "the reorder point in units (or empty)", -1, -1),
    }


def _load_zones(folder: Path) -> dict[str, Any]:
    """``zones.csv`` sorted by distance; the bands must tile [0, last max) without gaps."""
    t = _read_bundle_table(folder, "zones.csv", ["zone", "min_miles", "max_miles"])
    zone = t.numbers("zone", what="the zone number", whole=True).astype(np.int64)
    t.check_unique(["zone"], "zone")
    lo = t.numbers("min_miles", what="the lower distance bound in miles", low=0)
    hi = t.numbers(
        "max_miles", what="the upper distance bound in miles (empty: none)", default=np.inf
    )
    bad = np.flatnonzero(hi <= lo)
    if len(bad):
        t.fail(
            f"max_miles {hi[bad[0]]:g} is not above min_miles {lo[bad[0]]:g}",
            rows=bad,
            column="max_miles",
            fix="make max_miles larger than min_miles",
        )
    order = np.argsort(lo, kind="stable")
    if lo[order[0]] != 0:
        t.fail(
            f"the zones start at {lo[order[0]]:g} miles, so nearer destinations have no zone",
            rows=order[:1],
            column="min_miles",
            fix="make the nearest zone start at min_miles 0",
        )
    prev, nxt = order[:-1], order[1:]
    broken = np.flatnonzero(hi[prev] != lo[nxt])
    if len(broken):
        a, b = prev[broken[0]], nxt[broken[0]]
        kind = "a gap" if hi[a] < lo[b] else "an overlap"
        t.fail(
            f"zone {zone[a]} ends at {hi[a]:g} miles but zone {zone[b]} starts at {lo[b]:g}: "
            f"{kind} (zone {zone[b]} is at row {t.rownum[b]})",
            rows=[a],
            column="max_miles",
            fix=f"set zone {zone[a]}'s max_miles to zone {zone[b]}'s min_miles",
        )
    return {"zone_ids": zone[order], "zone_min": lo[order], "zone_max": hi[order]}


def _zone_codes(t: _Table, zone_index: pd.Index) -> np.ndarray:
    """Zone axis position of each row's ``zone``; a zone missing from zones.csv fails."""
    zone = t.numbers("zone", what="a zone number from zones.csv", whole=True)
    codes = zone_index.get_indexer(pd.Index(zone.astype(np.int64)))
    bad = np.flatnonzero(codes < 0)
    if len(bad):
        t.fail(
            f"zone {t.df['zone'].iat[bad[0]]} is not in zones.csv",
            rows=bad,
            column="zone",
            fix=f"use one of the zones {', '.join(str(z) for z in zone_index)}",
        )
    return codes.astype(np.int64)


def _load_services_and_rates(folder: Path, zone_ids: np.ndarray) -> dict[str, Any]:
    """``services.csv`` and ``rates.csv``: transit days and prices resolved per billable lb."""
    zone_index = pd.Index(zone_ids)
    num_zones = len(zone_ids)
    svc = _read_bundle_table(folder, "services.csv", ["service", "zone", "transit_days"])
    names = svc.text("service", what="the service name")
    svc_zone = _zone_codes(svc, zone_index)
    transit = svc.numbers("transit_days", what="the transit days", whole=True, low=0)
    svc.check_unique(["service", "zone"], "(service, zone) pair")
    service_names = np.array(sorted(set(names.tolist())), dtype=str)
    service_index = pd.Index(service_names)
    svc_code = service_index.get_indexer(pd.Index(names))
    transit_days = np.full((len(service_names), num_zones), -1, np.int64)
    transit_days[svc_code, svc_zone] = transit.astype(np.int64)

    rates = _read_bundle_table(folder, "rates.csv", ["service", "zone", "weight_lb", "price"])
    rates.text("service", what="the service name")
    r_svc = rates.lookup(
        "service",
        service_index,
        what="service",
        cls=InvalidInput,
        fix="use a service listed in services.csv",
    )
    r_zone = _zone_codes(rates, zone_index)
    weight = rates.numbers(
        "weight_lb", what="the weight breakpoint in whole lb", whole=True, low=1
    ).astype(np.int64)
    price = rates.numbers("price", what="the package price", low=0)
    rates.check_unique(["service", "zone", "weight_lb"], "(service, zone, weight_lb) rate")

    offered = transit_days[r_svc, r_zone] >= 0  # rates of non-offered pairs are not used
    r_svc, r_zone, weight, price = r_svc[offered], r_zone[offered], weight[offered], price[offered]
    # holes: every offered (service, zone) must price the service's whole set of breakpoints
    have = np.zeros((len(service_names), num_zones), np.int64)
    np.add.at(have, (r_svc, r_zone), 1)
    bps = [np.unique(weight[r_svc == s]) for s in range(len(service_names))]
    for s, z in zip(*np.nonzero(transit_days >= 0), strict=True):
        if have[s, z] == len(bps[s]) and have[s, z] > 0:
            continue
        row = np.flatnonzero((svc_code == s) & (svc_zone == z))
        name, zid = service_names[s], zone_ids[z]
        if have[s, z] == 0:
            svc.fail(
                f"rate card hole: {name} is offered in zone {zid} here but rates.csv has no "
                f"price for it",
                rows=row,
                column="zone",
                fix=f"add {name} zone {zid} prices to rates.csv, or delete this row if {name} "
                f"does not serve zone {zid}",
            )
        got = weight[(r_svc == s) & (r_zone == z)]
        missing = np.setdiff1d(bps[s], got)
        rates.fail(
            f"rate card hole: {name} zone {zid} has no price at {missing[0]} lb "
            f"({len(missing)} breakpoint(s) missing) while other zones of {name} have one",
            column="weight_lb",
            fix=f"add the row '{name},{zid},{missing[0]},<price>' to rates.csv",
        )
    max_b = int(weight.max()) if len(weight) else 0
    if max_b == 0:
        rates.fail(
            "no service offered in services.csv has a price",
            column="service",
            fix="add prices for the services and zones of services.csv",
        )
    rate_price = np.full((len(service_names), num_zones, max_b + 1), np.inf)
    wanted = np.arange(1, max_b + 1)
    for s, z in zip(*np.nonzero(transit_days >= 0), strict=True):
        pick = (r_svc == s) & (r_zone == z)
        order = np.argsort(weight[pick])
        bp, pr = weight[pick][order], price[pick][order]
        at = np.searchsorted(bp, wanted, side="left")  # smallest breakpoint >= b
        rate_price[s, z, 1:] = np.where(at < len(bp), pr[np.minimum(at, len(bp) - 1)], np.inf)
    return {"service_names": service_names, "transit_days": transit_days, "rate_price": rate_price}


def _policy_number(file: str, key: str, value: Any, *, whole: bool, low: float) -> float:
    """One numeric policy value, checked."""
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if ok and whole:
        ok = float(value).is_integer()
    if not ok or value < low:
        kind = "a whole number" if whole else "a number"
        raise InvalidInput(
            f"{key} is {value!r}",
            file=file,
            column=key,
            fix=f"{key} must be {kind} of at least {low:g}",
        )
    return float(value)


def load_policy(path: str | Path) -> Policy:
    """Read and check ``policy.yaml`` (contracts §1)."""
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise InvalidInput("file not found", file=file, fix="add policy.yaml to the bundle")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InvalidInput(
            f"not valid YAML{where}: {getattr(exc, 'problem', exc)}",
            file=file,
            fix="write one 'key: value' per line",
        ) from exc
    if not isinstance(doc, dict):
        raise InvalidInput(
            "must be a mapping of keys to values",
            file=file,
            fix=f"write the keys {', '.join(_POLICY_KEYS)} as 'key: value' lines",
        )
    for key in _POLICY_KEYS:
        if key not in doc:
            guess = _closest(key, [str(k) for k in doc if k not in _POLICY_KEYS])
            fix = f"rename '{guess}' to '{key}'" if guess else f"add '{key}: <value>'"
            if key == "max_shipments_per_order" and not guess:
                fix += " (null for unlimited)"
            raise InvalidInput(f"key '{key}' is missing", file=file, column=key, fix=fix)
    max_ship = doc["max_shipments_per_order"]
    return Policy(
        late_penalty_per_day=_policy_number(
            file, _POLICY_KEYS[0], doc[_POLICY_KEYS[0]], whole=False, low=0
        ),
        backorder_penalty_per_unit=_policy_number(
            file, _POLICY_KEYS[1], doc[_POLICY_KEYS[1]], whole=False, low=0
        ),
        split_penalty=_policy_number(
            file, _POLICY_KEYS[2], doc[_POLICY_KEYS[2]], whole=False, low=0
        ),
        max_shipments_per_order=None
        if max_ship is None
        else int(_policy_number(file, _POLICY_KEYS[3], max_ship, whole=True, low=1)),
    )


def load_network(path: str | Path) -> Network:
    """Read and validate a network bundle folder (contracts §1)."""
    folder = Path(path)
    if not folder.is_dir():
        raise InvalidInput(
            "network bundle folder not found",
            file=str(folder),
            fix="pass the folder holding fcs.csv, skus.csv, inventory.csv, zones.csv, ...",
        )
    nodes = _load_nodes(folder)
    skus = _load_skus(folder)
    sku_index = pd.Index(skus["sku_ids"])
    kits = _load_kits(folder, sku_index)
    inventory = _load_inventory(
        folder, pd.Index(nodes["node_ids"]), sku_index, set(kits["kit_index"])
    )
    zones = _load_zones(folder)
    rates = _load_services_and_rates(folder, zones["zone_ids"])
    policy = load_policy(folder / "policy.yaml")
    return Network(
        **nodes, **skus, **kits, **inventory, **zones, **rates, policy=policy, source=folder
    )


# ---------------------------------------------------------------------------------------------
# orders


def _item_index(network: Network) -> pd.Index:
    """SKU ids then kit ids: position = item index of dom.model."""
    return pd.Index(np.concatenate([network.sku_ids, network.kit_ids]).astype(str))


def _item_code(network: Network, item_id: str) -> int:
    """Item index of a SKU or kit id (dict look-ups, for one order at a time); -1 if unknown."""
    code = network.sku_index.get(item_id)
    if code is not None:
        return code
    kit = network.kit_index.get(item_id)
    return -1 if kit is None else network.num_skus + kit


def _destinations(t: _Table) -> tuple[np.ndarray, np.ndarray]:
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
        guess = _closest("dest_zip", list(df.columns), cutoff=0.5)
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
    t: _Table, codes: np.ndarray, order_ids: np.ndarray, columns: dict[str, np.ndarray]
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
    t = _read_table(path)
    t.check_columns(_ORDER_REQUIRED, _ORDER_OPTIONAL)
    if t.df.empty:
        t.fail("has no order lines", fix="add one row per order line under the header")
    order_col = t.text("order_id", what="the order id")
    t.text("sku", what="the SKU or kit id")
    items = t.lookup(
        "sku",
        _item_index(network),
        what="SKU",
        cls=UnknownSku,
        fix="use a SKU of skus.csv or a kit of kits.csv",
    )
    qty = t.numbers("qty", what="the units ordered", whole=True, low=1).astype(np.int64)
    promised = t.numbers(
        "promised_days", what="the promised delivery days", whole=True, low=0
    ).astype(np.int64)
    lat, lon = _destinations(t)
    n = len(t.df)
    ship_complete = (
        t.flags("ship_complete", default=False) if "ship_complete" in t.df else np.zeros(n, bool)
    )
    channel = t.df["channel"].to_numpy(dtype=str) if "channel" in t.df else np.full(n, "")

    codes, uniques = pd.factorize(pd.Series(order_col), sort=False)
    order_ids = np.asarray(uniques, dtype=str)
    _check_order_agreement(
        t,
        codes,
        order_ids,
        {
            "dest_lat" if "dest_lat" in t.df else "dest_zip": lat + 1j * lon,
            "promised_days": promised,
            "ship_complete": ship_complete,
            "channel": channel,
        },
    )
    first = np.full(len(order_ids), -1, np.int64)
    first[codes[::-1]] = np.arange(n)[::-1]
    order = np.argsort(codes, kind="stable")  # lines grouped by order, file order within
    ptr = np.concatenate([[0], np.cumsum(np.bincount(codes, minlength=len(order_ids)))])
    return Orders(
        order_ids=order_ids,
        dest_lat=lat[first],
        dest_lon=lon[first],
        promised_days=promised[first],
        ship_complete=ship_complete[first],
        channel=channel[first],
        line_ptr=ptr.astype(np.int64),
        line_item=items[order],
        line_qty=qty[order],
        source=path,
    )


# ---------------------------------------------------------------------------------------------
# one order as JSON


def _json_fail(field: str, message: str, fix: str, source: str | None) -> NoReturn:
    """Raise naming the JSON field path in ``column`` (the API's ``field``)."""
    raise InvalidInput(message, file=source, column=field, fix=fix)


def _json_whole(value: Any, field: str, low: int, what: str, source: str | None) -> int:
    """A JSON number that is a whole number >= low (2.0 counts as 2; true does not)."""
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if ok and not (math.isfinite(value) and float(value).is_integer() and value >= low):
        ok = False
    if not ok:
        _json_fail(
            field,
            f"{field} is {json.dumps(value)}",
            f"{what} must be a whole number of at least {low}",
            source,
        )
    return int(value)


def _json_number(value: Any, field: str, low: float, high: float, source: str | None) -> float:
    """A finite JSON number in [low, high]."""
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or not low <= value <= high:
        _json_fail(
            field,
            f"{field} is {json.dumps(value)}",
            f"give a number from {low:g} to {high:g}",
            source,
        )
    return float(value)


def _json_keys(
    obj: dict[str, Any],
    where: str,
    required: Sequence[str],
    optional: Sequence[str],
    source: str | None,
) -> None:
    """Required keys present; an unknown key spelt like an expected one fails."""
    unknown = [str(k) for k in obj if k not in required and k not in optional]
    for key in required:
        if key not in obj:
            guess = _closest(key, unknown)
            fix = f"rename '{guess}' to '{key}'" if guess else f'add "{key}"'
            _json_fail(where + key, f"{where + key} is missing", fix, source)
    for key in unknown:
        guess = _closest(key, [o for o in optional if o not in obj], cutoff=0.75)
        if guess:
            _json_fail(
                where + key, f"unknown field {where + key}", f"rename it to '{guess}'", source
            )


def order_from_json(obj: Any, network: Network, *, source: str | None = None) -> Orders:
    """One order in the JSON form of contracts §2, validated; errors name the JSON field path."""
    if not isinstance(obj, dict):
        _json_fail(
            "",
            "the order must be a JSON object",
            'send {"order_id": ..., "lines": [...], ...}',
            source,
        )
    _json_keys(
        obj,
        "",
        ("order_id", "lines", "destination", "promised_days"),
        ("ship_complete", "channel", "created_at"),
        source,
    )
    order_id = obj["order_id"]
    if (
        isinstance(order_id, bool)
        or not isinstance(order_id, str | int)
        or str(order_id).strip() == ""
    ):
        _json_fail(
            "order_id",
            f"order_id is {json.dumps(order_id)}",
            "give the order id as a non-empty string",
            source,
        )
    lines = obj["lines"]
    if not isinstance(lines, list) or not lines:
        _json_fail(
            "lines",
            "lines must be a non-empty list",
            'give at least one {"sku": ..., "qty": ...}',
            source,
        )
    items, qtys = [], []
    for i, line in enumerate(lines):
        where = f"lines[{i}]"
        if not isinstance(line, dict):
            _json_fail(
                where,
                f"{where} must be an object",
                'write each line as {"sku": "...", "qty": 1}',
                source,
            )
        _json_keys(line, where + ".", ("sku", "qty"), (), source)
        sku = line["sku"]
        known = isinstance(sku, str | int) and not isinstance(sku, bool)
        code = _item_code(network, str(sku).strip()) if known else -1
        if code < 0:
            guess = _closest(str(sku), _item_index(network)) if known else None
            hint = f"did you mean '{guess}'? " if guess else ""
            raise UnknownSku(
                f"unknown SKU {json.dumps(sku)} at {where}.sku",
                file=source,
                column=f"{where}.sku",
                fix=hint + "use a SKU of skus.csv or a kit of kits.csv",
            )
        items.append(code)
        qtys.append(_json_whole(line["qty"], f"{where}.qty", 1, "qty", source))
    promised = _json_whole(obj["promised_days"], "promised_days", 0, "promised_days", source)
    lat, lon = _json_destination(obj["destination"], source)
    ship_complete = obj.get("ship_complete", False)
    if ship_complete is None:
        ship_complete = False
    if not isinstance(ship_complete, bool):
        _json_fail(
            "ship_complete",
            f"ship_complete is {json.dumps(ship_complete)}",
            "write true or false",
            source,
        )
    channel = obj.get("channel") or ""
    if not isinstance(channel, str):
        _json_fail(
            "channel", f"channel is {json.dumps(channel)}", "give the channel as a string", source
        )
    return Orders(
        order_ids=np.array([str(order_id).strip()]),
        dest_lat=np.array([lat]),
        dest_lon=np.array([lon]),
        promised_days=np.array([promised], np.int64),
        ship_complete=np.array([ship_complete]),
        channel=np.array([channel]),
        line_ptr=np.array([0, len(items)], np.int64),
        line_item=np.array(items, np.int64),
        line_qty=np.array(qtys, np.int64),
        source=Path(source) if source else None,
    )


@cache
def _zip_rows() -> dict[str, int]:
    """Row of each ZIP of ``dom.geo.zip_table`` (all 5 digits, so already normalised): one
    order's ZIP is then a dict look-up instead of a vectorised pandas one."""
    zips = zip_table().index.tolist()
    return dict(zip(zips, range(len(zips)), strict=True))


def _json_destination(dest: Any, source: str | None) -> tuple[float, float]:
    """(lat, lon) of ``{"lat", "lon"}`` (wins when present) or ``{"zip"}``."""
    if not isinstance(dest, dict):
        _json_fail(
            "destination",
            "destination must be an object",
            'give {"zip": "89501"} or {"lat": .., "lon": ..}',
            source,
        )
    if "lat" in dest or "lon" in dest:
        for key in ("lat", "lon"):
            if key not in dest:
                _json_fail(
                    f"destination.{key}",
                    f"destination.{key} is missing",
                    "give both lat and lon, or a zip",
                    source,
                )
        return (
            _json_number(dest["lat"], "destination.lat", -90, 90, source),
            _json_number(dest["lon"], "destination.lon", -180, 180, source),
        )
    if "zip" not in dest:
        _json_fail(
            "destination.zip",
            "destination has neither zip nor lat/lon",
            'give {"zip": "89501"} or {"lat": .., "lon": ..}',
            source,
        )
    value = dest["zip"]
    if isinstance(value, bool) or not isinstance(value, str | int):
        _json_fail(
            "destination.zip",
            f"destination.zip is {json.dumps(value)}",
            "give the ZIP as a 5-digit string",
            source,
        )
    row = _zip_rows().get(str(value))
    if row is not None:
        table = zip_table()
        return float(table.lat[row]), float(table.lon[row])
    lat, lon = zip_to_latlon([str(value)])  # normalises first (ZIP+4, dropped leading zeros)
    if np.isnan(lat[0]):
        _json_fail(
            "destination.zip",
            f"destination.zip {json.dumps(value)} is not a known US ZIP code",
            "check the ZIP (5 digits, as a string), or give lat and lon",
            source,
        )
    return float(lat[0]), float(lon[0])


def load_order_json(path: str | Path, network: Network) -> Orders:
    """Read one order from a JSON file (``dom route``)."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput("file not found", file=str(path), fix="check the path and the file name")
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            file=str(path),
            fix="fix the JSON syntax",
        ) from exc
    return order_from_json(obj, network, source=str(path))
