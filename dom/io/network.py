"""Load and validate a network bundle folder (contracts §1) into :class:`dom.model.Network`.

Every file goes through the checks of :mod:`dom.io.table`; the rules this loader adds where the
contract leaves room (zone bands that tile, rate cards without holes, id and number limits) are in
``docs/data.md``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from dom.errors import InvalidInput, UnknownNode, UnknownSku, closest
from dom.io.table import Table, read_bundle_table, read_table
from dom.model import MAX_LINES_PER_ORDER, MAX_QTY, Network, Policy

_KINDS = ("warehouse", "store")
_POLICY_KEYS = (
    "late_penalty_per_day",
    "backorder_penalty_per_unit",
    "split_penalty",
    "max_shipments_per_order",
)
# Beyond the contract's order limits, the bundle's numbers are kept where whole numbers stay exact
# and tables stay small: a breakpoint of a billion lb would ask for a billion-row price table.
MAX_UNITS = 10**12
MAX_DAYS = 365
MAX_WEIGHT_LB = 100_000
MAX_RATE_LB = 10_000
MAX_MONEY = 1e9


def _load_nodes(folder: Path) -> dict[str, Any]:
    """``fcs.csv``: the node axis and its defaults (kind warehouse, enabled, no capacity limit)."""
    t = read_bundle_table(
        folder,
        "fcs.csv",
        ["fc_id", "lat", "lon", "capacity_units", "handling_cost", "processing_days"],
        ["name", "kind", "enabled", "accepts_returns"],
    )
    ids = t.ids("fc_id", what="a node id")
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
            high=MAX_UNITS,
            default=np.inf,
        ),
        "handling_cost": t.numbers(
            "handling_cost", what="the cost per shipment", low=0, high=MAX_MONEY
        ),
        "processing_days": t.numbers(
            "processing_days", what="the days to carrier hand-off", whole=True, low=0, high=MAX_DAYS
        ).astype(np.int64),
        "enabled": t.flags("enabled", default=True)
        if "enabled" in t.df
        else np.ones(len(ids), bool),
        "accepts_returns": t.flags("accepts_returns", default=True)
        if "accepts_returns" in t.df
        else np.ones(len(ids), bool),
        "node_index": {str(n): i for i, n in enumerate(ids)},
    }


def _load_skus(folder: Path) -> dict[str, Any]:
    """``skus.csv``: the SKU axis and unit weights."""
    t = read_bundle_table(folder, "skus.csv", ["sku", "weight_lb"])
    ids = t.ids("sku", what="a SKU id")
    t.check_unique(["sku"], "sku")
    weight = t.numbers(
        "weight_lb", what="the unit weight in lb", low=0, low_open=True, high=MAX_WEIGHT_LB
    )
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
    t = read_table(folder / "kits.csv")
    t.check_columns(["kit_sku", "component_sku", "qty"])
    kit = t.ids("kit_sku", what="the kit id")
    t.ids("component_sku", what="the component SKU id")
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
    qty = t.numbers("qty", what="units of the component per kit", whole=True, low=1, high=MAX_QTY)
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
    t = read_bundle_table(
        folder, "inventory.csv", ["fc_id", "sku", "on_hand"], ["safety_stock", "reorder_point"]
    )
    t.ids("fc_id", what="the node id")
    t.ids("sku", what="the SKU id")
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
            out[node, sku] = t.numbers(
                col, what=what, whole=True, low=0, high=MAX_UNITS, default=default
            )
        return out

    return {
        "on_hand": dense("on_hand", "the units on hand", None, 0),
        "safety_stock": dense("safety_stock", "the safety stock in units (empty: 0)", 0, 0),
        "reorder_point": dense("reorder_point", "the reorder point in units (or empty)", -1, -1),
    }


def _load_zones(folder: Path) -> dict[str, Any]:
    """``zones.csv`` sorted by distance; the bands must tile [0, last max) without gaps."""
    t = read_bundle_table(folder, "zones.csv", ["zone", "min_miles", "max_miles"])
    zone = t.numbers(
        "zone", what="the zone number", whole=True, low=-MAX_UNITS, high=MAX_UNITS
    ).astype(np.int64)
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


def _zone_codes(t: Table, zone_index: pd.Index) -> np.ndarray:
    """Zone axis position of each row's ``zone``; a zone missing from zones.csv fails."""
    zone = t.numbers(
        "zone", what="a zone number from zones.csv", whole=True, low=-MAX_UNITS, high=MAX_UNITS
    )
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
    svc = read_bundle_table(folder, "services.csv", ["service", "zone", "transit_days"])
    names = svc.ids("service", what="the service name")
    svc_zone = _zone_codes(svc, zone_index)
    transit = svc.numbers("transit_days", what="the transit days", whole=True, low=0, high=MAX_DAYS)
    svc.check_unique(["service", "zone"], "(service, zone) pair")
    service_names = np.array(sorted(set(names.tolist())), dtype=str)
    service_index = pd.Index(service_names)
    svc_code = service_index.get_indexer(pd.Index(names))
    transit_days = np.full((len(service_names), num_zones), -1, np.int64)
    transit_days[svc_code, svc_zone] = transit.astype(np.int64)

    rates = read_bundle_table(folder, "rates.csv", ["service", "zone", "weight_lb", "price"])
    rates.ids("service", what="the service name")
    r_svc = rates.lookup(
        "service",
        service_index,
        what="service",
        cls=InvalidInput,
        fix="use a service listed in services.csv",
    )
    r_zone = _zone_codes(rates, zone_index)
    weight = rates.numbers(
        "weight_lb", what="the weight breakpoint in whole lb", whole=True, low=1, high=MAX_RATE_LB
    ).astype(np.int64)
    price = rates.numbers("price", what="the package price", low=0, high=MAX_MONEY)
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


def _policy_number(
    file: str, key: str, value: Any, *, whole: bool, low: float, high: float = MAX_MONEY
) -> float:
    """One numeric policy value, checked."""
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if ok and whole:
        ok = float(value).is_integer()
    if not ok or not low <= value <= high:
        kind = "a whole number" if whole else "a number"
        raise InvalidInput(
            f"{key} is {value!r}"[:200],
            file=file,
            column=key,
            fix=f"{key} must be {kind} from {low:g} to {high:g}",
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
            guess = closest(key, [str(k) for k in doc if k not in _POLICY_KEYS])
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
        else int(
            _policy_number(
                file, _POLICY_KEYS[3], max_ship, whole=True, low=1, high=MAX_LINES_PER_ORDER
            )
        ),
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
