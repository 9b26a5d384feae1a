"""An independent checker of allocation plans: cost and feasibility recomputed from files alone.

Kept in one module: it is one derivation of contracts §3 to read against the contract's text, and
split it would share helpers across files, which is what it must not do with the code it checks.

It reads the plan files of contracts §4 (``shipments``, ``lines`` as CSV or Parquet, and
``summary.json``), the network bundle (§1) and the orders file (§2) with pandas, and recomputes
every number from the text of contracts §3: weights, billable weights, haversine distances
(earth radius 3958.8 mi), zones, the cheapest service (ties: fewer eta days, then name), prices,
penalties, stock, capacity, shipment limits, ship-complete, and the summary totals. It shares no
code with ``dom.costs``, ``dom.io`` or the solvers on purpose: a bug there cannot hide here.

Where the contract leaves room it follows ``dom.io``'s documented reading: ZIP+4 keeps five
digits and 3–4 digit ZIPs are left-padded; ``units_filled`` and ``units_unfilled`` count line
quantities (a kit line counts kits, as the backorder penalty does).

The first violation raises ``AssertionError`` naming the file, the ids and both numbers.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
import zipcodes

EARTH_RADIUS_MI = 3958.8
ABS_TOL = 1e-6
SHIPMENT_COLUMNS = [
    "shipment_id", "order_id", "fc_id", "service", "zone", "weight_lb", "billable_lb", "price",
    "handling_cost", "late_days", "late_penalty", "ship_cost", "eta_days",
]  # fmt: skip
LINE_COLUMNS = ["order_id", "line_no", "sku", "qty", "fc_id", "shipment_id"]
SUMMARY_KEYS = [
    "orders", "lines", "units_filled", "units_unfilled", "shipments", "total_cost",
    "shipping_cost", "handling_cost", "late_penalty", "split_penalty", "backorder_penalty",
    "lower_bound", "gap", "solve_seconds", "method",
]  # fmt: skip


@dataclass(frozen=True)
class PlanReport:
    """What the checker recomputed; every figure equals the plan's own."""

    orders: int
    lines: int
    shipments: int
    units_filled: int
    units_unfilled: int
    total_cost: float
    lower_bound: float | None
    gap: float | None
    checks: tuple[str, ...]


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= ABS_TOL * max(1.0, abs(a), abs(b))


def _read_any(folder: Path, stem: str) -> pd.DataFrame:
    """``stem.csv`` or ``stem.parquet`` from ``folder``, every cell as stripped text."""
    csv, parquet = folder / f"{stem}.csv", folder / f"{stem}.parquet"
    if parquet.is_file():
        df = pd.read_parquet(parquet)
        df = df.astype(object).where(df.notna(), "").astype(str)
    else:
        assert csv.is_file(), f"{folder}: neither {stem}.csv nor {stem}.parquet exists"
        df = pd.read_csv(csv, dtype=str, keep_default_na=False)
    df.columns = [str(c).strip() for c in df.columns]
    return df.apply(lambda c: c.str.strip()) if len(df) else df


def _num(df: pd.DataFrame, col: str, file: str) -> np.ndarray:
    """A column as float64; a cell that is not a number is a violation."""
    values = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=np.float64)
    bad = np.flatnonzero(np.isnan(values) & df[col].ne("").to_numpy())
    assert not len(bad), f"{file} row {bad[0] + 1}: {col} {df[col].iat[bad[0]]!r} is not a number"
    return values


def _true(values: pd.Series) -> np.ndarray:
    return values.str.lower().isin(["true", "t", "yes", "y", "1", "1.0"]).to_numpy()


@cache
def _zip_centroids() -> dict[str, tuple[float, float]]:
    return {z["zip_code"]: (float(z["lat"]), float(z["long"])) for z in zipcodes.list_all()}


def _zip_latlon(text: str) -> tuple[float, float]:
    z = text.strip()
    if len(z) == 10 and z[5] == "-":
        z = z[:5]
    if z.isdigit() and 3 <= len(z) <= 4:
        z = z.zfill(5)
    assert z in _zip_centroids(), f"orders: ZIP {text!r} is not a known US ZIP"
    return _zip_centroids()[z]


@dataclass(frozen=True)
class _Bundle:
    """The network bundle, as plain pandas tables keyed by id."""

    fcs: pd.DataFrame  # index fc_id: lat, lon, capacity, handling, processing, enabled
    unit_weight: pd.Series  # item id (SKU or kit) -> lb per unit
    components: pd.DataFrame  # item, sku, units: what one unit of an item draws from stock
    available: pd.Series  # (fc_id, sku) -> max(0, on_hand - safety_stock)
    zones: pd.DataFrame  # zone, min_miles, max_miles
    services: pd.DataFrame  # service, zone, transit_days
    rates: pd.DataFrame  # service, zone, weight_lb, price
    policy: dict[str, Any]


def _read_bundle(folder: Path) -> _Bundle:
    raw = pd.read_csv(folder / "fcs.csv", dtype=str, keep_default_na=False)
    raw = raw.apply(lambda c: c.str.strip())
    fcs = pd.DataFrame(
        {
            "lat": pd.to_numeric(raw["lat"]).to_numpy(),
            "lon": pd.to_numeric(raw["lon"]).to_numpy(),
            "capacity": pd.to_numeric(raw["capacity_units"].replace("", "inf")).to_numpy(),
            "handling": pd.to_numeric(raw["handling_cost"]).to_numpy(),
            "processing": pd.to_numeric(raw["processing_days"]).to_numpy(),
            "enabled": _true(raw["enabled"].replace("", "true"))
            if "enabled" in raw
            else np.ones(len(raw), bool),
        },
        index=pd.Index(raw["fc_id"], name="fc_id"),
    )
    skus = pd.read_csv(folder / "skus.csv", dtype={"sku": str})
    skus["sku"] = skus["sku"].str.strip()
    comps = pd.DataFrame({"item": skus["sku"], "sku": skus["sku"], "units": 1})
    if (folder / "kits.csv").is_file():
        kits = pd.read_csv(folder / "kits.csv", dtype={"kit_sku": str, "component_sku": str})
        kits = pd.DataFrame(
            {
                "item": kits["kit_sku"].str.strip(),
                "sku": kits["component_sku"].str.strip(),
                "units": kits["qty"],
            }
        )
        comps = pd.concat([comps, kits], ignore_index=True)
    weight = skus.set_index("sku")["weight_lb"].astype(float)
    comps["lb"] = comps["units"] * weight.reindex(comps["sku"]).to_numpy()
    unit_weight = comps.groupby("item", sort=False)["lb"].sum()

    inv = pd.read_csv(folder / "inventory.csv", dtype={"fc_id": str, "sku": str})
    safety = inv["safety_stock"].fillna(0) if "safety_stock" in inv else 0
    inv["available"] = np.maximum(0, inv["on_hand"] - safety)
    available = inv.set_index([inv["fc_id"].str.strip(), inv["sku"].str.strip()])["available"]

    zones = pd.read_csv(folder / "zones.csv")
    zones["max_miles"] = zones["max_miles"].fillna(np.inf)
    services = pd.read_csv(folder / "services.csv", dtype={"service": str})
    rates = pd.read_csv(folder / "rates.csv", dtype={"service": str})
    for table in (services, rates):
        table["service"] = table["service"].str.strip()
    policy = yaml.safe_load((folder / "policy.yaml").read_text())
    return _Bundle(
        fcs=fcs,
        unit_weight=unit_weight,
        components=comps[["item", "sku", "units"]],
        available=available,
        zones=zones,
        services=services,
        rates=rates,
        policy=policy,
    )


def _read_orders(path: Path) -> pd.DataFrame:
    """Order lines with ``line_no`` and per-line destination (lat, lon)."""
    if path.suffix.lower() in (".parquet", ".pq"):
        df = pd.read_parquet(path)
        df = df.astype(object).where(df.notna(), "").astype(str)
    else:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = df.apply(lambda c: c.str.strip())
    df = df[(df != "").any(axis=1)].reset_index(drop=True)
    df["line_no"] = df.groupby("order_id", sort=False).cumcount()
    df["qty"] = pd.to_numeric(df["qty"]).astype(np.int64)
    df["promised_days"] = pd.to_numeric(df["promised_days"]).astype(np.int64)
    lat = np.full(len(df), np.nan)
    lon = np.full(len(df), np.nan)
    if "dest_lat" in df:
        given = df["dest_lat"].ne("") & df["dest_lon"].ne("")
        lat[given] = pd.to_numeric(df.loc[given, "dest_lat"])
        lon[given] = pd.to_numeric(df.loc[given, "dest_lon"])
    missing = np.isnan(lat)
    if missing.any():
        found = {z: _zip_latlon(z) for z in df.loc[missing, "dest_zip"].unique()}
        pairs = np.array([found[z] for z in df.loc[missing, "dest_zip"]]).reshape(-1, 2)
        lat[missing], lon[missing] = pairs[:, 0], pairs[:, 1]
    df["lat"], df["lon"] = lat, lon
    df["ship_complete"] = _true(df["ship_complete"]) if "ship_complete" in df else False
    return df


def _haversine(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_MI * np.arcsin(np.sqrt(np.minimum(a, 1.0))))


def _check_columns(df: pd.DataFrame, expected: list[str], file: str) -> None:
    missing = [c for c in expected if c not in df.columns]
    assert not missing, f"{file}: columns {missing} are missing (has {list(df.columns)})"


def _some(df: pd.DataFrame, mask: Any, cols: list[str]) -> str:
    """Up to three offending rows, for a message."""
    return str(df.loc[mask, cols].head(3).to_dict("records"))


def _check_lines(lines: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """Every order line appears exactly once, with its SKU and qty; returns lines + order data."""
    lines = lines.copy()
    lines["line_no"] = _num(lines, "line_no", "lines").astype(np.int64)
    dup = lines.duplicated(["order_id", "line_no"], keep=False)
    assert not dup.any(), (
        "lines: (order_id, line_no) appears more than once: "
        f"{lines.loc[dup, ['order_id', 'line_no']].head(3).to_dict('records')}"
    )
    merged = orders.merge(
        lines, on=["order_id", "line_no"], how="outer", suffixes=("", "_plan"), indicator=True
    )
    absent = merged[merged["_merge"] == "left_only"]
    assert absent.empty, (
        f"lines: order lines missing from the plan: "
        f"{absent[['order_id', 'line_no']].head(3).to_dict('records')}"
    )
    extra = merged[merged["_merge"] == "right_only"]
    assert extra.empty, (
        f"lines: lines not in the orders file: "
        f"{extra[['order_id', 'line_no']].head(3).to_dict('records')}"
    )
    wrong_sku = merged["sku"] != merged["sku_plan"]
    assert not wrong_sku.any(), "lines: sku differs from the orders file at " + _some(
        merged, wrong_sku, ["order_id", "line_no", "sku", "sku_plan"]
    )
    plan_qty = pd.to_numeric(merged["qty_plan"], errors="coerce")
    wrong_qty = plan_qty != merged["qty"]
    assert not wrong_qty.any(), "lines: qty differs from the orders file at " + _some(
        merged, wrong_qty, ["order_id", "line_no", "qty", "qty_plan"]
    )
    half = merged["fc_id"].eq("") != merged["shipment_id"].eq("")
    assert not half.any(), (
        "lines: fc_id and shipment_id must be both set or both empty at "
        + _some(merged, half, ["order_id", "line_no", "fc_id", "shipment_id"])
    )
    return merged.drop(columns=["_merge", "sku_plan", "qty_plan"])


def _check_shipment_membership(filled: pd.DataFrame, ships: pd.DataFrame) -> None:
    """Line fc/order agree with their shipment; each shipment is all lines of (order, node)."""
    dup = ships["shipment_id"].duplicated(keep=False)
    assert not dup.any(), (
        f"shipments: shipment_id repeated: {ships.loc[dup, 'shipment_id'].head(3).tolist()}"
    )
    by_id = ships.set_index("shipment_id")
    unknown = by_id.index.get_indexer(pd.Index(filled["shipment_id"])) < 0
    assert not unknown.any(), "lines: shipment_id not in shipments: " + _some(
        filled, unknown, ["order_id", "line_no", "shipment_id"]
    )
    ship_order = by_id["order_id"].reindex(filled["shipment_id"]).to_numpy()
    ship_fc = by_id["fc_id"].reindex(filled["shipment_id"]).to_numpy()
    bad = np.flatnonzero(
        (ship_order != filled["order_id"].to_numpy()) | (ship_fc != filled["fc_id"].to_numpy())
    )
    assert not len(bad), (
        f"lines: order {filled['order_id'].iat[bad[0]]} line {filled['line_no'].iat[bad[0]]} is at "
        f"{filled['fc_id'].iat[bad[0]]} in shipment {filled['shipment_id'].iat[bad[0]]}, which is "
        f"order {ship_order[bad[0]]} from {ship_fc[bad[0]]}"
    )
    groups = filled[["order_id", "fc_id", "shipment_id"]].drop_duplicates()
    split = np.flatnonzero(groups.duplicated(["order_id", "fc_id"]).to_numpy())
    assert not len(split), (
        f"lines: the lines of order {groups['order_id'].iat[split[0]]} at "
        f"{groups['fc_id'].iat[split[0]]} are in 2 or more shipments; they form one shipment"
    )
    used = pd.Index(filled["shipment_id"].unique())
    empty = used.get_indexer(pd.Index(ships["shipment_id"])) < 0
    assert not empty.any(), (
        f"shipments: no line ships in {ships.loc[empty, 'shipment_id'].head(3).tolist()}"
    )


def _best_service(ships: pd.DataFrame, bundle: _Bundle, late_per_day: float) -> pd.DataFrame:
    """Cheapest service per shipment (ties: fewer eta days, then name); -1 service where none."""
    cand = ships[["shipment_id", "zone_calc", "billable_calc", "fc_id", "promised_days"]].merge(
        bundle.services, left_on="zone_calc", right_on="zone"
    )
    cand["b"] = cand["billable_calc"].astype(float)
    cand = cand.sort_values("b")
    rates = bundle.rates[["service", "zone", "weight_lb", "price"]].astype({"weight_lb": float})
    cand = pd.merge_asof(  # the smallest breakpoint >= b, per (service, zone)
        cand,
        rates.sort_values("weight_lb"),
        left_on="b",
        right_on="weight_lb",
        by=["service", "zone"],
        direction="forward",
    )
    cand = cand[cand["price"].notna()].copy()
    fcs = bundle.fcs.reindex(cand["fc_id"])
    cand["eta"] = fcs["processing"].to_numpy() + cand["transit_days"].to_numpy()
    cand["late"] = np.maximum(0, cand["eta"] - cand["promised_days"])
    cand["cost"] = cand["price"] + fcs["handling"].to_numpy() + late_per_day * cand["late"]
    best = cand.groupby("shipment_id")["cost"].transform("min")
    cand = cand[cand["cost"] <= best + 1e-9]
    cand = cand.sort_values(["shipment_id", "eta", "service"]).drop_duplicates("shipment_id")
    return cand.set_index("shipment_id")


def _check_shipment_costs(
    ships: pd.DataFrame, filled: pd.DataFrame, bundle: _Bundle
) -> pd.DataFrame:
    """Weight, billable weight, zone, service, price, handling, lateness and cost recomputed."""
    policy = bundle.policy
    late_per_day = float(policy["late_penalty_per_day"])
    filled = filled.assign(
        lb=filled["qty"].to_numpy() * bundle.unit_weight.reindex(filled["sku"]).to_numpy()
    )
    per_ship = filled.groupby("shipment_id").agg(
        weight=("lb", "sum"), lat=("lat", "first"), lon=("lon", "first"),
        promised_days=("promised_days", "first"),
    )  # fmt: skip
    ships = ships.join(per_ship, on="shipment_id")
    numeric = {c: _num(ships, c, "shipments") for c in SHIPMENT_COLUMNS[4:]}
    for c, values in numeric.items():
        ships[c + "_plan"] = values

    def expect(col: str, calc: np.ndarray | pd.Series, what: str) -> None:
        plan = ships[col + "_plan"].to_numpy(dtype=np.float64)
        calc = np.asarray(calc, dtype=np.float64)
        off = np.flatnonzero(~(np.abs(plan - calc) <= ABS_TOL * np.maximum(1.0, np.abs(calc))))
        assert not len(off), (
            f"shipments: shipment {ships['shipment_id'].iat[off[0]]} has {col} "
            f"{float(plan[off[0]])!r}, recomputed {float(calc[off[0]])!r} ({what}); "
            f"{len(off)} shipment(s) off"
        )

    fcs = bundle.fcs.reindex(ships["fc_id"])
    assert not fcs["lat"].isna().any(), (
        f"shipments: unknown fc_id {ships.loc[fcs['lat'].isna().to_numpy(), 'fc_id'].iat[0]}"
    )
    off = ~fcs["enabled"].to_numpy(dtype=bool)
    assert not off.any(), f"shipments: disabled node {ships.loc[off, 'fc_id'].iat[0]} ships"
    expect("weight_lb", ships["weight"], "sum of line qty x unit weight")
    billable = np.maximum(1, np.ceil(ships["weight"].to_numpy() - 1e-9)).astype(np.int64)
    ships["billable_calc"] = billable
    expect("billable_lb", billable, "max(1, ceil(W - 1e-9))")
    miles = _haversine(fcs["lat"].to_numpy(), fcs["lon"].to_numpy(), ships["lat"], ships["lon"])
    zmin = bundle.zones["min_miles"].to_numpy()[None, :]
    zmax = bundle.zones["max_miles"].to_numpy()[None, :]
    hit = (zmin <= miles[:, None]) & (miles[:, None] < zmax)
    nozone = np.flatnonzero(~hit.any(axis=1))
    assert not len(nozone), (
        f"shipments: shipment {ships['shipment_id'].iat[nozone[0]]} travels "
        f"{miles[nozone[0]]:.1f} mi, which no zone covers"
    )
    ships["zone_calc"] = bundle.zones["zone"].to_numpy()[hit.argmax(axis=1)]
    expect("zone", ships["zone_calc"], f"haversine {EARTH_RADIUS_MI} mi radius")
    best = _best_service(ships, bundle, late_per_day).reindex(ships["shipment_id"])
    none = np.flatnonzero(best["cost"].isna().to_numpy())
    assert not len(none), (
        f"shipments: no service can carry shipment {ships['shipment_id'].iat[none[0]]} "
        f"({billable[none[0]]} lb, zone {ships['zone_calc'].iat[none[0]]})"
    )
    wrong = np.flatnonzero(best["service"].to_numpy() != ships["service"].to_numpy())
    assert not len(wrong), (
        f"shipments: shipment {ships['shipment_id'].iat[wrong[0]]} uses "
        f"{ships['service'].iat[wrong[0]]} but {best['service'].iat[wrong[0]]} is cheapest "
        f"(cost {best['cost'].iat[wrong[0]]:.6f}, eta {best['eta'].iat[wrong[0]]})"
    )
    expect("price", best["price"], "rate of the smallest breakpoint >= billable weight")
    expect("handling_cost", fcs["handling"], "fcs.csv handling_cost")
    expect("eta_days", best["eta"], "processing_days + transit_days")
    expect("late_days", best["late"], "max(0, eta_days - promised_days)")
    expect("late_penalty", late_per_day * best["late"].to_numpy(), "late_penalty_per_day x days")
    expect("ship_cost", best["cost"], "price + handling + late penalty")
    return ships


def _check_stock_and_capacity(filled: pd.DataFrame, bundle: _Bundle) -> None:
    """Units per (node, SKU) within availability; units per node within capacity."""
    draws = filled[["fc_id", "sku", "qty"]].merge(
        bundle.components.rename(columns={"sku": "component"}), left_on="sku", right_on="item"
    )
    draws["units"] = draws["qty"] * draws["units"]
    used = draws.groupby(["fc_id", "component"])["units"].sum()
    avail = bundle.available.reindex(used.index).fillna(0).to_numpy()
    over = np.flatnonzero(used.to_numpy() > avail)
    assert not len(over), (
        f"stock: {used.index[over[0]][0]} ships {used.iat[over[0]]} units of "
        f"{used.index[over[0]][1]} but only {avail[over[0]]:g} are available "
        "(on_hand - safety_stock)"
    )
    per_node = draws.groupby("fc_id")["units"].sum()
    cap = bundle.fcs["capacity"].reindex(per_node.index).to_numpy()
    over = np.flatnonzero(per_node.to_numpy() > cap)
    assert not len(over), (
        f"capacity: {per_node.index[over[0]]} ships {per_node.iat[over[0]]} units, "
        f"capacity_units is {cap[over[0]]:g}"
    )


def _check_order_rules(
    merged: pd.DataFrame, ships: pd.DataFrame, policy: dict[str, Any]
) -> pd.Series:
    """Shipment limit and ship-complete; returns shipments per order."""
    per_order = ships.groupby("order_id").size().reindex(merged["order_id"].unique(), fill_value=0)
    limit = policy.get("max_shipments_per_order")
    if limit is not None:
        over = per_order[per_order > int(limit)]
        assert over.empty, (
            f"orders: order {over.index[0]} has {over.iat[0]} shipments, "
            f"max_shipments_per_order is {limit}"
        )
    complete = merged[merged["ship_complete"]]
    if len(complete):
        unfilled = complete["fc_id"].eq("").groupby(complete["order_id"]).agg(["sum", "size"])
        used = complete.loc[complete["fc_id"] != "", ["order_id", "shipment_id"]]
        ships_of = used.drop_duplicates().groupby("order_id").size()
        ships_of = ships_of.reindex(unfilled.index, fill_value=0)
        whole = (unfilled["sum"] == 0) & (ships_of == 1)
        bad = np.flatnonzero(~(whole | (unfilled["sum"] == unfilled["size"])).to_numpy())
        assert not len(bad), (
            f"orders: ship_complete order {unfilled.index[bad[0]]} has {ships_of.iat[bad[0]]} "
            f"shipment(s) and {unfilled['sum'].iat[bad[0]]} unfilled line(s); it ships whole in "
            "one shipment or not at all"
        )
    return per_order


def _check_summary(
    summary: dict[str, Any],
    merged: pd.DataFrame,
    ships: pd.DataFrame,
    per_order: pd.Series,
    policy: dict[str, Any],
) -> tuple[float, float | None, float | None]:
    """Summary counts and money equal the recomputation; the bound and gap are consistent."""
    missing = [k for k in SUMMARY_KEYS if k not in summary]
    assert not missing, f"summary.json: keys {missing} are missing"
    filled = merged["fc_id"] != ""
    units_filled = int(merged.loc[filled, "qty"].sum())
    units_unfilled = int(merged.loc[~filled, "qty"].sum())
    split = float(policy["split_penalty"]) * float(np.maximum(0, per_order - 1).sum())
    backorder = float(policy["backorder_penalty_per_unit"]) * units_unfilled
    total = float(ships["ship_cost_plan"].sum()) + split + backorder
    expected: dict[str, float] = {
        "orders": merged["order_id"].nunique(),
        "lines": len(merged),
        "units_filled": units_filled,
        "units_unfilled": units_unfilled,
        "shipments": len(ships),
        "shipping_cost": float(ships["price_plan"].sum()),
        "handling_cost": float(ships["handling_cost_plan"].sum()),
        "late_penalty": float(ships["late_penalty_plan"].sum()),
        "split_penalty": split,
        "backorder_penalty": backorder,
        "total_cost": total,
    }
    for key, value in expected.items():
        got = summary[key]
        assert isinstance(got, int | float) and _close(float(got), value), (
            f"summary.json: {key} is {got!r}, recomputed {value!r}"
        )
    parts = sum(expected[k] for k in ("shipping_cost", "handling_cost", "late_penalty",
                                        "split_penalty", "backorder_penalty"))  # fmt: skip
    assert _close(parts, total), f"summary.json: cost parts add to {parts!r}, total is {total!r}"
    assert isinstance(summary["method"], str) and summary["method"], "summary.json: method is empty"
    seconds = summary["solve_seconds"]
    assert isinstance(seconds, int | float) and seconds >= 0, (
        f"summary.json: solve_seconds is {seconds!r}"
    )
    lb = summary["lower_bound"]
    if lb is None:
        return total, None, None
    assert isinstance(lb, int | float) and not math.isnan(lb), (
        f"summary.json: lower_bound is {lb!r}"
    )
    assert lb <= total + ABS_TOL * max(1.0, abs(total)), (
        f"summary.json: lower_bound {lb!r} is above total_cost {total!r}"
    )
    gap = (total - lb) / max(total, 1e-9)
    got_gap = summary["gap"]
    assert isinstance(got_gap, int | float) and (
        _close(float(got_gap), gap) or (math.isinf(gap) and math.isinf(got_gap))
    ), f"summary.json: gap is {got_gap!r}, (total_cost - lower_bound) / total_cost is {gap!r}"
    return total, float(lb), gap


def check_plan(
    network_dir: str | Path, orders_path: str | Path, plan_dir: str | Path
) -> PlanReport:
    """Recompute every cost and check every constraint of a plan; AssertionError on a violation."""
    bundle = _read_bundle(Path(network_dir))
    orders = _read_orders(Path(orders_path))
    plan = Path(plan_dir)
    ships = _read_any(plan, "shipments")
    lines = _read_any(plan, "lines")
    summary = json.loads((plan / "summary.json").read_text())
    _check_columns(ships, SHIPMENT_COLUMNS, "shipments")
    _check_columns(lines, LINE_COLUMNS, "lines")
    checks = ["columns"]

    merged = _check_lines(lines, orders)
    checks.append("every order line once, sku and qty as ordered")
    filled = merged[merged["fc_id"] != ""]
    _check_shipment_membership(filled, ships)
    checks.append("lines and shipments agree; one shipment per (order, node)")
    ships = _check_shipment_costs(ships, filled, bundle)
    checks.append("weight, billable, zone, service, price, handling, eta, late, ship_cost")
    _check_stock_and_capacity(filled, bundle)
    checks.append("stock per (node, sku) and capacity per node")
    per_order = _check_order_rules(merged, ships, bundle.policy)
    checks.append("max shipments per order, ship-complete")
    total, lb, gap = _check_summary(summary, merged, ships, per_order, bundle.policy)
    checks.append("summary totals, lower bound, gap")
    filled_mask = merged["fc_id"] != ""
    return PlanReport(
        orders=int(merged["order_id"].nunique()),
        lines=len(merged),
        shipments=len(ships),
        units_filled=int(merged.loc[filled_mask, "qty"].sum()),
        units_unfilled=int(merged.loc[~filled_mask, "qty"].sum()),
        total_cost=total,
        lower_bound=lb,
        gap=gap,
        checks=tuple(checks),
    )


def recompute_kpis(plan_dir: str | Path) -> dict[str, float | int | None]:
    """The KPIs of contracts §9's ``kpis.csv`` recomputed from a plan folder alone: counts and
    money from the rows, the two penalties the rows cannot carry (split, backorder) and the
    lower bound from ``summary.json``; ratios None when they divide by zero."""
    plan = Path(plan_dir)
    ships = _read_any(plan, "shipments")
    lines = _read_any(plan, "lines")
    summary = json.loads((plan / "summary.json").read_text())
    qty = _num(lines, "qty", "lines")
    filled = lines["fc_id"].ne("").to_numpy()
    late = int((_num(ships, "late_days", "shipments") > 0).sum()) if len(ships) else 0
    n_ships = len(ships)
    units, units_filled = float(qty.sum()), float(qty[filled].sum())

    def ratio(a: float, b: float) -> float | None:
        return a / b if b else None

    money = {c: float(_num(ships, c, "shipments").sum()) if n_ships else 0.0
             for c in ("price", "handling_cost", "late_penalty", "ship_cost", "zone")}  # fmt: skip
    split, backorder = float(summary["split_penalty"]), float(summary["backorder_penalty"])
    return {
        "orders": int(lines["order_id"].nunique()),
        "lines": len(lines),
        "units": int(units),
        "units_filled": int(units_filled),
        "fill_rate": ratio(units_filled, units),
        "total_cost": money["ship_cost"] + split + backorder,
        "shipping_cost": money["price"],
        "handling_cost": money["handling_cost"],
        "late_penalty": money["late_penalty"],
        "split_penalty": split,
        "backorder_penalty": backorder,
        "shipments": n_ships,
        "shipments_per_order": ratio(n_ships, ships["order_id"].nunique() if n_ships else 0),
        "late_shipments": late,
        "on_time_rate": ratio(n_ships - late, n_ships),
        "mean_zone": ratio(money["zone"], n_ships),
        "lower_bound": summary["lower_bound"],
    }
