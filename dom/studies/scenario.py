"""A scenario's network: the base bundle's files edited as the scenario says, written as a bundle
folder (contracts §1) and loaded back.

Edits act on the files, not on the loaded arrays, so the folder the engine ran on is the one the
study writes out and any checker can read (``scenarios/<name>/network/``). Units stay whole:
``inventory.multiply`` scales the units available (``on_hand - safety_stock``, rounded half to
even), safety stock stays; ``move`` takes ``floor(share * available)`` of each SKU from one node
to another; capacity multiplied is rounded the same way.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from dom.files import folder_writer
from dom.io import load_network
from dom.model import Network
from dom.studies.spec import NodeEdit, Scenario

_COPIED = ("skus.csv", "kits.csv", "zones.csv", "services.csv")


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _numbers(column: pd.Series) -> np.ndarray:
    return pd.to_numeric(column.str.strip(), errors="coerce").to_numpy(np.float64)


def _whole_text(values: np.ndarray) -> np.ndarray:
    """Whole numbers as text, ``inf`` as empty (an unlimited capacity)."""
    return np.array(["" if not math.isfinite(v) else str(int(v)) for v in values.tolist()])


def write_scenario_network(base: Path, scenario: Scenario, out: Path) -> Path:
    """Write the bundle of ``base`` edited by ``scenario`` into ``out``, all at once."""
    with folder_writer(out) as scratch:
        for name in _COPIED:
            if (base / name).is_file():
                shutil.copyfile(base / name, scratch / name)
        _edit_nodes(_read(base / "fcs.csv"), scenario).to_csv(scratch / "fcs.csv", index=False)
        inventory = _edit_inventory(_read(base / "inventory.csv"), scenario)
        inventory.to_csv(scratch / "inventory.csv", index=False)
        _edit_rates(_read(base / "rates.csv"), scenario).to_csv(scratch / "rates.csv", index=False)
        policy = yaml.safe_load((base / "policy.yaml").read_text(encoding="utf-8")) or {}
        policy.update(scenario.policy)
        (scratch / "policy.yaml").write_text(yaml.safe_dump(policy, sort_keys=False))
    return out


def scenario_network(base: Path, scenario: Scenario, folder: Path) -> Network:
    """The scenario's network, written into ``folder`` and loaded from there."""
    return load_network(write_scenario_network(base, scenario, folder))


def _apply(frame: pd.DataFrame, rows: np.ndarray, edit: NodeEdit) -> None:
    if edit.enabled is not None:
        if "enabled" not in frame:
            frame["enabled"] = "true"
        frame.loc[rows, "enabled"] = "true" if edit.enabled else "false"
    if edit.capacity is not None:
        frame.loc[rows, "capacity_units"] = _whole_text(np.full(rows.sum(), edit.capacity))
    if edit.capacity_multiply is not None:
        cap = _numbers(frame["capacity_units"].where(frame["capacity_units"].ne(""), "inf"))
        scaled = np.where(np.isfinite(cap), np.rint(cap * edit.capacity_multiply), np.inf)
        frame.loc[rows, "capacity_units"] = _whole_text(scaled[rows])
    if edit.handling_cost is not None:
        frame.loc[rows, "handling_cost"] = repr(float(edit.handling_cost))
    if edit.processing_days is not None:
        frame.loc[rows, "processing_days"] = str(int(edit.processing_days))


def _edit_nodes(fcs: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    fcs = fcs.copy()
    ids = fcs["fc_id"].str.strip().to_numpy()
    # the edit of every node first, then those of named nodes
    for node, edit in sorted(scenario.nodes.items(), key=lambda item: item[0] != "*"):
        _apply(fcs, np.ones(len(fcs), bool) if node == "*" else ids == node, edit)
    return fcs


def _edit_inventory(inventory: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    if not scenario.inventory and not scenario.moves:
        return inventory
    inv = inventory.copy()
    has_safety = "safety_stock" in inv
    on_hand = _numbers(inv["on_hand"]).astype(np.int64)
    safety = (
        np.nan_to_num(_numbers(inv["safety_stock"])).astype(np.int64)
        if has_safety
        else np.zeros(len(inv), np.int64)
    )
    nodes = inv["fc_id"].str.strip().to_numpy()
    skus = inv["sku"].str.strip().to_numpy()
    avail = np.maximum(on_hand - safety, 0)
    for node, factor in sorted(scenario.inventory.items(), key=lambda item: item[0] != "*"):
        rows = np.ones(len(inv), bool) if node == "*" else nodes == node
        avail = np.where(rows, np.rint(avail * factor).astype(np.int64), avail)
    extra: list[dict[str, str]] = []
    for move in scenario.moves:
        chosen = np.isin(skus, move.skus) if move.skus is not None else np.ones(len(inv), bool)
        src = np.flatnonzero((nodes == move.source) & chosen)
        moved = np.floor(avail[src] * move.share).astype(np.int64)
        avail[src] -= moved
        target_row = {s: i for i, s in enumerate(skus) if nodes[i] == move.target}
        for s, units in zip(skus[src].tolist(), moved.tolist(), strict=True):
            if units == 0:
                continue
            if s in target_row:
                avail[target_row[s]] += units
            else:
                target_row[s] = len(avail)
                avail = np.append(avail, units)
                safety = np.append(safety, 0)
                on_hand = np.append(on_hand, 0)
                nodes = np.append(nodes, move.target)
                skus = np.append(skus, s)
                extra.append({"fc_id": move.target, "sku": s})
    if extra:
        inv = pd.concat([inv, pd.DataFrame(extra)], ignore_index=True).fillna("")
        if has_safety:
            inv["safety_stock"] = np.where(inv["safety_stock"].eq(""), "0", inv["safety_stock"])
    # cells below their safety stock (shrink) keep their on_hand unless stock moved in
    kept = (on_hand < safety) & (avail == 0)
    inv["on_hand"] = np.where(kept, on_hand, safety + avail).astype(np.int64).astype(str)
    return inv


def _edit_rates(rates: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    if not scenario.rates:
        return rates
    rates = rates.copy()
    price = _numbers(rates["price"])
    service = rates["service"].str.strip().to_numpy()
    zone = _numbers(rates["zone"])
    for edit in scenario.rates:
        rows = np.ones(len(rates), bool)
        if edit.service is not None:
            rows &= service == edit.service
        if edit.zone is not None:
            rows &= zone == edit.zone
        price = np.where(rows, price * edit.multiply, price)
    rates["price"] = [repr(round(float(p), 6)) for p in price.tolist()]
    return rates
