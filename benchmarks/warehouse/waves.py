"""Pick waves on the sample day: walk of each batching method against one trip per order.

    python benchmarks/warehouse/waves.py [PLAN_DIR] [--cart-units 40] [--cart-orders 10]

PLAN_DIR is a plan of the sample day (``dom allocate data/sample/network data/sample/orders.csv
--out PLAN_DIR``). Without it the script writes a stand-in plan (every order line to its nearest
enabled warehouse, stock and capacity ignored) and says so in the table. For every warehouse of
``data/warehouses/`` with lines in the plan it runs, on the same pick lists and cart:

- ``one trip per order``: each pick list walked alone (the baseline);
- ``fcfs``: carts filled in plan order (first come, first served), no search;
- ``fcfs + search``: that, improved by MERGE/SHIFT/SWAP moves;
- ``savings``: the Clarke-Wright CW(i) seed alone;
- ``savings + search``: the default of ``dom pick-waves``.

Every walk is the routing core's ``best`` route of the final waves. Writes
``benchmarks/warehouse/results/waves_sample_day.{csv,md}`` and prints the table.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from dom.geo import haversine_miles
from dom.io import load_network, load_orders
from dom.model import Network, Orders
from warehouse_graph import (
    Cart,
    Kits,
    batch_orders,
    build_pick_lists,
    kits_from_csr,
    load_layout,
    load_slotting,
    plan_waves,
    read_node_lines,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
WAREHOUSES = ROOT / "data" / "warehouses"
RESULTS = Path(__file__).resolve().parent / "results"
VARIANTS = [("fcfs", "fcfs", False), ("fcfs + search", "fcfs", True),
            ("savings", "savings", False), ("savings + search", "savings", True)]  # fmt: skip


def nearest_warehouse_plan(network: Network, orders: Orders, folder: Path) -> Path:
    """A stand-in lines.csv: every line to the nearest enabled warehouse (haversine)."""
    usable = np.flatnonzero(network.enabled & (network.node_kinds == "warehouse"))
    miles = haversine_miles(
        orders.dest_lat[:, None], orders.dest_lon[:, None], network.lat[usable], network.lon[usable]
    )
    node = network.node_ids[usable[np.argmin(miles, axis=1)]]  # [order]
    counts = np.diff(orders.line_ptr)
    order_of_line = np.repeat(np.arange(orders.num_orders), counts)
    fc = node[order_of_line]
    order_id = orders.order_ids[order_of_line]
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(
        {
            "order_id": order_id,
            "line_no": np.arange(orders.num_lines) - np.repeat(orders.line_ptr[:-1], counts),
            "sku": [network.item_id(i) for i in orders.line_item.tolist()],
            "qty": orders.line_qty,
            "fc_id": fc,
            "shipment_id": [f"{o}-{f}" for o, f in zip(order_id, fc, strict=True)],
        }
    ).to_csv(folder / "lines.csv", index=False)
    return folder


def kits_of(network: Network) -> Kits:
    """Kit id -> its (component SKU, units per kit)."""
    sku_of = network.sku_ids[network.kit_comp_sku]
    return kits_from_csr(network.kit_ids, network.kit_ptr, sku_of, network.kit_comp_qty)


def warm_up(cart: Cart) -> None:
    """Compile the numba kernels before anything is timed."""
    dist = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 1.0], [2.0, 1.0, 0.0]])
    batch_orders(dist, np.array([0, 1, 2]), np.array([1, 2]), np.array([1, 1]), cart)


def run(plan_dir: Path, plan_name: str, cart: Cart) -> pd.DataFrame:
    """One row per (node, method)."""
    network = load_network(SAMPLE / "network")
    kits = kits_of(network)
    rows = []
    warm_up(cart)
    fc_with_lines = set(pd.read_csv(plan_dir / "lines.csv", dtype=str)["fc_id"].dropna())
    for folder in sorted(p for p in WAREHOUSES.iterdir() if p.name in fc_with_lines):
        layout = load_layout(folder / "layout.json")
        slotting = load_slotting(folder / "slotting.csv", layout, known_skus=network.sku_ids)
        lists = build_pick_lists(
            read_node_lines(plan_dir, folder.name), slotting, layout, kits=kits
        )
        base = None
        for name, seed, improve in VARIANTS:
            start = time.perf_counter()
            plan = plan_waves(layout, lists, cart, seed=seed, improve=improve)
            seconds = time.perf_counter() - start
            if base is None:
                base = {"node": folder.name, "plan": plan_name, "layout": repr(layout),
                        "orders": lists.num_lists, "units": int(lists.units.sum())}  # fmt: skip
                rows.append(base | {"method": "one trip per order", "trips": lists.num_lists,
                                    "walk_m": plan.solo_walk_m, "saving_pct": 0.0})  # fmt: skip
            rows.append(
                base
                | {
                    "method": name,
                    "trips": plan.num_waves,
                    "walk_m": plan.total_walk_m,
                    "saving_pct": 100 * plan.saving,
                    "batching_s": plan.stats["batching_seconds"],
                    "total_s": seconds,
                }
            )
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame) -> str:
    """A pipe table (no extra dependency)."""
    cells = table.astype(object).where(table.notna(), "").astype(str)
    lines = ["| " + " | ".join(table.columns) + " |", "|" + " --- |" * len(table.columns)]
    lines += ["| " + " | ".join(row) + " |" for row in cells.itertuples(index=False)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan_dir", nargs="?", type=Path)
    parser.add_argument("--cart-units", type=int, default=40)
    parser.add_argument("--cart-orders", type=int, default=10)
    args = parser.parse_args()
    cart = Cart(args.cart_units, args.cart_orders)
    with tempfile.TemporaryDirectory() as scratch:
        if args.plan_dir is None:
            network = load_network(SAMPLE / "network")
            orders = load_orders(SAMPLE / "orders.csv", network)
            plan_dir = nearest_warehouse_plan(network, orders, Path(scratch) / "plan")
            plan_name = "stand-in: nearest warehouse"
        else:
            plan_dir, plan_name = args.plan_dir, "dom allocate"
        table = run(plan_dir, plan_name, cart)
    RESULTS.mkdir(exist_ok=True)
    table.to_csv(RESULTS / "waves_sample_day.csv", index=False)
    shown = table.drop(columns=["plan", "layout"]).round(
        {"walk_m": 1, "saving_pct": 1, "batching_s": 2, "total_s": 2}
    )
    text = (
        f"Pick waves on the sample day ({plan_name} plan), cart {cart.units} units / "
        f"{cart.orders} orders, walks of `best` routes.\n\n" + markdown(shown) + "\n"
    )
    (RESULTS / "waves_sample_day.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
