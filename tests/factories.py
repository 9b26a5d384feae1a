"""Small random networks and orders built directly as arrays, for property tests of the solvers."""

from __future__ import annotations

import numpy as np

from dom.model import Network, Orders, Policy

ZONE_EDGES = [0.0, 150.0, 300.0, 600.0, 1000.0, 1400.0, 1800.0, 1e9]
SERVICES = ["GROUND", "NEXT_DAY", "TWO_DAY"]


def random_network(
    rng: np.random.Generator,
    *,
    num_nodes: int = 4,
    num_skus: int = 6,
    num_kits: int = 1,
    max_lb: int = 30,
    stock_high: int = 4,
    capacity_high: int | None = 12,
    max_shipments: int | None = 2,
) -> Network:
    """A random but well-formed network: US-ish coordinates, 7 zone bands, 3 services."""
    lat = rng.uniform(26, 48, num_nodes)
    lon = rng.uniform(-122, -71, num_nodes)
    zone_ids = np.arange(2, 9)
    transit = np.array(
        [[1, 2, 3, 3, 4, 5, 5], [1, 1, 1, 1, 1, 1, 1], [2, 2, 2, 2, 2, 2, 2]], dtype=np.int64
    )
    transit[0, rng.integers(0, 7)] = -1 if rng.random() < 0.2 else transit[0, 0]
    base = np.array([1.0, 3.5, 2.2])[:, None, None]
    lbs = np.arange(max_lb + 1)[None, None, :]
    zones = np.arange(7)[None, :, None]
    price = base * (6.0 + 0.9 * zones + (0.35 + 0.08 * zones) * lbs**0.85)
    price = np.round(price + rng.uniform(0, 0.5, price.shape), 2)
    price[..., 0] = np.inf
    kit_ptr = [0]
    kit_sku: list[int] = []
    kit_qty: list[int] = []
    for _ in range(num_kits):
        comps = rng.choice(num_skus, size=min(2, num_skus), replace=False)
        kit_sku.extend(int(c) for c in comps)
        kit_qty.extend(int(q) for q in rng.integers(1, 3, len(comps)))
        kit_ptr.append(len(kit_sku))
    on_hand = rng.integers(0, stock_high + 1, (num_nodes, num_skus))
    safety = (rng.random((num_nodes, num_skus)) < 0.2).astype(np.int64)
    cap = (
        np.full(num_nodes, np.inf)
        if capacity_high is None
        else rng.integers(2, capacity_high + 1, num_nodes).astype(float)
    )
    enabled = np.ones(num_nodes, bool)
    if num_nodes > 2 and rng.random() < 0.3:
        enabled[rng.integers(num_nodes)] = False
    return Network(
        node_ids=np.array([f"N{i}" for i in range(num_nodes)]),
        node_names=np.array([""] * num_nodes),
        node_kinds=np.array(["warehouse"] * num_nodes),
        lat=lat,
        lon=lon,
        capacity=cap,
        handling_cost=np.round(rng.uniform(0.5, 3.0, num_nodes), 2),
        processing_days=rng.integers(0, 3, num_nodes),
        enabled=enabled,
        accepts_returns=np.ones(num_nodes, bool),
        sku_ids=np.array([f"S{i}" for i in range(num_skus)]),
        weight_lb=np.round(rng.uniform(0.2, 8.0, num_skus), 2),
        kit_ids=np.array([f"K{i}" for i in range(num_kits)]),
        kit_ptr=np.array(kit_ptr, np.int64),
        kit_comp_sku=np.array(kit_sku, np.int64),
        kit_comp_qty=np.array(kit_qty, np.int64),
        on_hand=on_hand.astype(np.int64),
        safety_stock=safety,
        reorder_point=np.full((num_nodes, num_skus), -1, np.int64),
        zone_ids=zone_ids,
        zone_min=np.array(ZONE_EDGES[:-1]),
        zone_max=np.array(ZONE_EDGES[1:]),
        service_names=np.array(SERVICES),
        transit_days=transit,
        rate_price=price,
        policy=Policy(
            late_penalty_per_day=float(rng.choice([0.0, 4.0, 8.0])),
            backorder_penalty_per_unit=float(rng.choice([15.0, 40.0])),
            split_penalty=float(rng.choice([0.0, 3.0])),
            max_shipments_per_order=max_shipments,
        ),
        sku_index={f"S{i}": i for i in range(num_skus)},
        kit_index={f"K{i}": i for i in range(num_kits)},
        node_index={f"N{i}": i for i in range(num_nodes)},
    )


def random_orders(
    rng: np.random.Generator,
    network: Network,
    *,
    num_orders: int = 5,
    max_lines: int = 4,
    ship_complete_share: float = 0.2,
) -> Orders:
    """Random orders: 1..max_lines lines of SKUs or kits, small quantities, US destinations."""
    num_items = network.num_skus + network.num_kits
    lines = rng.integers(1, max_lines + 1, num_orders)
    ptr = np.concatenate([[0], np.cumsum(lines)]).astype(np.int64)
    return Orders(
        order_ids=np.array([f"O{i}" for i in range(num_orders)]),
        dest_lat=rng.uniform(26, 48, num_orders),
        dest_lon=rng.uniform(-122, -71, num_orders),
        promised_days=rng.choice([1, 2, 5], num_orders).astype(np.int64),
        ship_complete=rng.random(num_orders) < ship_complete_share,
        channel=np.array(["web"] * num_orders),
        line_ptr=ptr,
        line_item=rng.integers(0, num_items, ptr[-1]).astype(np.int64),
        line_qty=rng.choice([1, 1, 1, 2, 3], ptr[-1]).astype(np.int64),
    )
