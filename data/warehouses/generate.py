"""Write a layout and a slotting for every warehouse of a network: ``OUT/<fc_id>/layout.json``
and ``OUT/<fc_id>/slotting.csv``.

    python data/warehouses/generate.py [NETWORK_DIR] [ORDERS_CSV] [OUT_DIR]

(defaults: the sample bundle, its day of orders, this folder). Each warehouse gets the
rectangular layout of ``SHAPES`` (or, for ids not listed, one derived from its position in
``fcs.csv``), with just enough slots per block to hold every SKU of ``skus.csv`` on the two faces
of its aisles; :func:`warehouse_graph.make_slotting` then puts the SKUs with the most demanded
units in the orders (kits counted as their components) nearest the depot. The same inputs give
the same files.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from dom.io import load_network, load_orders
from warehouse_graph import (
    Layout,
    kits_from_csr,
    make_slotting,
    rect_layout,
    sku_demand,
    write_slotting,
)

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "sample"
SKUS_PER_LOCATION = 2  # the two faces of an aisle at one slot

# (aisles, blocks, depot) per sample warehouse: 1-4 blocks, 10-30 aisles, both depot positions
SHAPES: dict[str, tuple[int, int, str]] = {
    "FC-ONT": (16, 2, "front-left"),
    "FC-EWR": (10, 4, "front-centre"),
    "FC-DFW": (12, 3, "front-left"),
    "FC-ORD": (24, 2, "front-centre"),
    "FC-ATL": (20, 2, "front-left"),
    "FC-SEA": (30, 1, "front-left"),
    "FC-CMH": (16, 3, "front-centre"),
    "FC-RNO": (20, 1, "front-centre"),
    "FC-MEM": (12, 2, "front-left"),
}


def warehouse_layout(fc_id: str, position: int, num_skus: int) -> Layout:
    """The layout of one warehouse (1 m slots, 3 m aisle pitch, 2 m cross aisles), sized to slot
    ``num_skus`` SKUs."""
    aisles, blocks, depot = SHAPES.get(
        fc_id, (12 + 4 * (position % 4), 1 + position % 3, "front-left")
    )
    slots = max(1, math.ceil(num_skus / (SKUS_PER_LOCATION * aisles * blocks)))
    return rect_layout(aisles=aisles, blocks=blocks, slots_per_block=slots, depot=depot, name=fc_id)


def generate(network_dir: Path, orders_csv: Path, out_dir: Path) -> list[Path]:
    """Write every warehouse's layout and slotting; returns the folders written."""
    network = load_network(network_dir)
    orders = load_orders(orders_csv, network)
    kits = kits_from_csr(
        network.kit_ids,
        network.kit_ptr,
        network.sku_ids[network.kit_comp_sku],
        network.kit_comp_qty,
    )
    line_sku = network.item_ids[orders.line_item]
    sku_ids = network.sku_ids.tolist()
    demand = sku_demand(sku_ids, line_sku, orders.line_qty, kits=kits)
    folders = []
    for position, (fc_id, kind) in enumerate(
        zip(network.node_ids.tolist(), network.node_kinds.tolist(), strict=True)
    ):
        if kind != "warehouse":
            continue
        layout = warehouse_layout(fc_id, position, network.num_skus)
        slotting = make_slotting(layout, sku_ids, demand, skus_per_location=SKUS_PER_LOCATION)
        folder = out_dir / fc_id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "layout.json").write_text(json.dumps(layout.to_spec(), indent=2) + "\n")
        write_slotting(slotting, folder / "slotting.csv")
        folders.append(folder)
    return folders


if __name__ == "__main__":
    args = [Path(a) for a in sys.argv[1:]]
    defaults = [SAMPLE / "network", SAMPLE / "orders.csv", HERE]
    network_dir, orders_csv, out_dir = args + defaults[len(args) :]
    for written in generate(network_dir, orders_csv, out_dir):
        print(written)
