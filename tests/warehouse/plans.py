"""Small layouts, plan folders and skewed days of orders shared by the warehouse tests."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd

from warehouse_graph import Layout, make_slotting, rect_layout, write_slotting

SMALL = rect_layout(aisles=6, blocks=2, slots_per_block=8, name="test")  # 96 locations
DAY = rect_layout(aisles=10, blocks=2, slots_per_block=10, name="day")  # 200 locations


def write_plan(folder: Path, lines: list[tuple[str, str, int, str]]) -> Path:
    """A plan folder with lines.csv and shipments.csv from (order_id, sku, qty, fc_id) rows;
    an empty fc_id is an unfilled line."""
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, int, str, int, str, str]] = []
    line_no: dict[str, int] = {}
    for order, sku, qty, fc in lines:
        n = line_no[order] = line_no.get(order, -1) + 1
        rows.append((order, n, sku, qty, fc, f"{order}@{fc}" if fc else ""))
    table = pd.DataFrame(
        rows, columns=["order_id", "line_no", "sku", "qty", "fc_id", "shipment_id"]
    )
    table.to_csv(folder / "lines.csv", index=False)
    ships = table[table.fc_id != ""].drop_duplicates("shipment_id")
    ships[["shipment_id", "order_id", "fc_id"]].to_csv(folder / "shipments.csv", index=False)
    return folder


def sample_day(folder: Path, num_orders: int, seed: int) -> tuple[Path, Path]:
    """A plan folder for node 'FC' with skewed demand (1-4 lines an order) and its velocity
    slotting on ``DAY``; returns (plan folder, slotting file)."""
    rng = np.random.default_rng(seed)
    skus = [f"SKU{i:03d}" for i in range(300)]
    popularity = 1.0 / np.arange(1, len(skus) + 1)  # Zipf: a few SKUs sell most
    popularity /= popularity.sum()
    rows = []
    for o in range(num_orders):
        k = int(rng.choice([1, 1, 1, 2, 2, 3, 4]))
        for s in rng.choice(len(skus), k, replace=False, p=popularity):
            rows.append((f"O{o:04d}", skus[s], int(rng.integers(1, 4)), "FC"))
    rows.append(("X", skus[0], 1, "OTHER"))
    demand = pd.DataFrame(rows, columns=["o", "sku", "qty", "fc"]).groupby("sku")["qty"].sum()
    slotting = make_slotting(DAY, skus, demand.reindex(skus, fill_value=0).to_numpy())
    write_slotting(slotting, folder / "slotting.csv")
    return write_plan(folder / "plan", rows), folder / "slotting.csv"


def walk_of(layout: Layout, stops: list[str]) -> float:
    """Depot -> stops -> depot along the layout's shortest paths, from the route alone."""
    d = layout.distance_matrix(stops)
    seq = [0, *range(1, len(stops) + 1), 0]
    return float(sum(d[a, b] for a, b in itertools.pairwise(seq)))
