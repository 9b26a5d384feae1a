"""Pick lists of one node, read from an allocation plan (contracts §4) and a slotting file.

One pick list per shipment leaving the node; lines of the same SKU in a shipment are one pick;
a kit line is picked as its components. A SKU slotted in several locations is picked, per list,
from the candidate nearest the depot or a location the list already visits (cheapest insertion,
decided per order, so an order walks the same locations alone and in a wave). Why: a plan says
what ships, a picker needs where to walk (docs/picking.md#pick-lists).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dom.errors import InvalidInput, UnknownNode, UnknownSku
from warehouse_graph.kits import Kits, explode_kits
from warehouse_graph.layout import Layout
from warehouse_graph.slotting import Slotting
from warehouse_graph.tables import check_rows, read_csv_table

LINE_COLUMNS = ("order_id", "line_no", "sku", "qty", "fc_id", "shipment_id")
_LINES_FIX = "pass the folder written by 'dom allocate' (lines.csv per contracts §4)"


@dataclass(frozen=True, eq=False)
class NodeLines:
    """The filled plan lines of one node, axis [line], in file order."""

    node: str
    source: str  # the lines file, for messages
    row: np.ndarray  # int64: 1-based data row in the lines file
    order_id: np.ndarray  # str
    shipment_id: np.ndarray  # str
    sku: np.ndarray  # str
    qty: np.ndarray  # int64 > 0


@dataclass(frozen=True, eq=False)
class PickLists:
    """Pick lists of one node, axis [list] (one per shipment, plan order); picks in CSR form:
    list ``i`` picks ``sku/qty/location[pick_ptr[i]:pick_ptr[i + 1]]``, one pick per SKU."""

    node: str
    shipment_id: np.ndarray  # str [list]
    order_id: np.ndarray  # str [list]
    pick_ptr: np.ndarray  # int64 [list + 1]
    sku: np.ndarray  # str [pick]
    qty: np.ndarray  # int64 [pick]
    location: np.ndarray  # str [pick]

    @property
    def num_lists(self) -> int:
        return len(self.shipment_id)

    @property
    def units(self) -> np.ndarray:
        """Units picked per list, ``units[list]``."""
        return np.add.reduceat(self.qty, self.pick_ptr[:-1]) if self.num_lists else self.qty[:0]

    def locations(self, i: int) -> list[str]:
        """Distinct locations of list ``i``, first pick first."""
        picks = self.location[self.pick_ptr[i] : self.pick_ptr[i + 1]].tolist()
        return list(dict.fromkeys(picks))


def _read_lines_table(plan_dir: Path) -> tuple[pd.DataFrame, Path]:
    csv, parquet = plan_dir / "lines.csv", plan_dir / "lines.parquet"
    if not plan_dir.is_dir():
        raise InvalidInput("plan folder not found", file=str(plan_dir), fix=_LINES_FIX)
    if not csv.is_file() and parquet.is_file():
        raw = pd.read_parquet(parquet)
        table = raw.astype(object).where(raw.notna(), "").astype(str)
        missing = [c for c in LINE_COLUMNS if c not in table.columns]
        if missing:
            raise InvalidInput(
                f"missing column '{missing[0]}'",
                file=str(parquet),
                column=missing[0],
                fix=_LINES_FIX,
            )
        return table, parquet
    table = read_csv_table(csv, LINE_COLUMNS, _LINES_FIX, nonempty=("order_id", "sku", "qty"))
    return table, csv


def read_node_lines(plan_dir: str | Path, node: str) -> NodeLines:
    """The filled lines of ``node`` in a plan folder, checked against its ``shipments.csv``
    when that file is there."""
    plan_dir = Path(plan_dir)
    table, source = _read_lines_table(plan_dir)
    fc = table["fc_id"].to_numpy(dtype=str)
    rows = np.flatnonzero(fc == node)
    if not len(rows):
        others = sorted(set(fc.tolist()) - {""})
        raise UnknownNode(
            f"no lines for node '{node}' (nodes with lines: {', '.join(others) or 'none'})",
            file=str(source),
            column="fc_id",
            fix="pick a node the plan ships from",
        )
    part = table.iloc[rows]
    shipment = part["shipment_id"].to_numpy(dtype=str)
    check_rows(
        shipment != "",
        InvalidInput,
        lambda _: f"a line of node '{node}' has no shipment_id",
        file=str(source),
        column="shipment_id",
        fix="every filled line names its shipment",
        rows=rows,
    )
    qty_text = part["qty"].to_numpy(dtype=str)
    qty = pd.to_numeric(pd.Series(qty_text), errors="coerce").to_numpy(dtype=float)
    check_rows(
        np.isfinite(qty) & (qty > 0) & (qty == np.round(qty)),
        InvalidInput,
        lambda i: f"qty '{qty_text[i]}' is not a positive whole number",
        file=str(source),
        column="qty",
        fix="quantities are whole units (kits count kits)",
        rows=rows,
    )
    lines = NodeLines(
        node=node,
        source=str(source),
        row=rows.astype(np.int64) + 1,
        order_id=part["order_id"].to_numpy(dtype=str),
        shipment_id=shipment,
        sku=part["sku"].to_numpy(dtype=str),
        qty=qty.astype(np.int64),
    )
    if (plan_dir / "shipments.csv").is_file():
        _check_shipments(plan_dir / "shipments.csv", lines)
    return lines


def _check_shipments(path: Path, lines: NodeLines) -> None:
    """Every shipment of the node's lines is in shipments.csv, at that node, for that order."""
    table = read_csv_table(path, ("shipment_id", "order_id", "fc_id"), _LINES_FIX)
    known = dict(
        zip(
            table["shipment_id"].tolist(),
            zip(table["order_id"].tolist(), table["fc_id"].tolist(), strict=True),
            strict=True,
        )
    )
    for i, shipment in enumerate(lines.shipment_id.tolist()):
        entry = known.get(shipment)
        if entry is None or entry != (lines.order_id[i], lines.node):
            found = (
                "is not in shipments.csv"
                if entry is None
                else (f"is order '{entry[0]}' at '{entry[1]}' in shipments.csv")
            )
            raise InvalidInput(
                f"shipment '{shipment}' of order '{lines.order_id[i]}' at '{lines.node}' {found}",
                file=lines.source,
                row=int(lines.row[i]),
                column="shipment_id",
                fix="use lines.csv and shipments.csv of the same plan",
            )


def _picks(lines: NodeLines, kits: Kits | None) -> pd.DataFrame:
    """Lines as picks ``(shipment_id, order_id, sku, qty, row)``, kits exploded."""
    picks = pd.DataFrame(
        {
            "shipment_id": lines.shipment_id,
            "order_id": lines.order_id,
            "sku": lines.sku,
            "qty": lines.qty,
            "row": lines.row,
        }
    )
    if not kits:
        return picks
    return explode_kits(picks, kits).sort_values("row", kind="stable")


def build_pick_lists(
    lines: NodeLines,
    slotting: Slotting,
    layout: Layout,
    *,
    kits: Kits | None = None,
    slotting_source: str = "slotting file",
) -> PickLists:
    """One pick list per shipment of the node, each SKU at one slotted location (see module)."""
    picks = _picks(lines, kits)
    unslotted = ~picks["sku"].isin(slotting.locations.keys()).to_numpy()
    if unslotted.any():
        first = picks[unslotted].iloc[0]
        raise UnknownSku(
            f"SKU '{first['sku']}' has no location in {slotting_source}",
            file=lines.source,
            row=int(first["row"]),
            column="sku",
            fix="slot every SKU the node ships (kits need the network to be exploded)",
        )
    grouped = (
        picks.groupby(["shipment_id", "sku"], sort=False)
        .agg(order_id=("order_id", "first"), qty=("qty", "sum"), row=("row", "first"))
        .reset_index()
    )
    first_row = grouped.groupby("shipment_id", sort=False)["row"].transform("min")
    grouped = grouped.assign(first_row=first_row).sort_values(["first_row", "row"], kind="stable")
    sku = grouped["sku"].to_numpy(dtype=str)
    shipment = grouped["shipment_id"].to_numpy(dtype=str)
    starts = np.flatnonzero(np.r_[True, shipment[1:] != shipment[:-1]])
    pick_ptr = np.r_[starts, len(sku)].astype(np.int64)
    location = np.array([slotting.locations[s][0] for s in sku.tolist()], dtype=object)
    multi = np.array([len(slotting.locations[s]) > 1 for s in sku.tolist()], dtype=bool)
    for i in np.unique(np.searchsorted(pick_ptr, np.flatnonzero(multi), side="right") - 1):
        lo, hi = int(pick_ptr[i]), int(pick_ptr[i + 1])
        _choose_locations(layout, slotting, sku[lo:hi], multi[lo:hi], location[lo:hi])
    return PickLists(
        node=lines.node,
        shipment_id=shipment[starts],
        order_id=grouped["order_id"].to_numpy(dtype=str)[starts],
        pick_ptr=pick_ptr,
        sku=sku,
        qty=grouped["qty"].to_numpy(dtype=np.int64),
        location=location.astype(str),
    )


def _choose_locations(
    layout: Layout, slotting: Slotting, sku: np.ndarray, multi: np.ndarray, location: np.ndarray
) -> None:
    """Fill ``location`` for the multi-location SKUs of one list (see module), in place."""
    visited = list(dict.fromkeys(location[~multi].tolist()))
    for k in np.flatnonzero(multi):
        candidates = list(slotting.locations[str(sku[k])])
        dist = np.asarray(layout.distance_matrix(visited + candidates), dtype=float)
        reach = dist[len(visited) + 1 :, : len(visited) + 1]  # [candidate, depot + visited]
        best = candidates[int(np.argmin(reach.min(axis=1)))]
        location[k] = best
        if best not in visited:
            visited.append(best)
