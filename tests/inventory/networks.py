"""Small networks for ledger tests: only the inventory arrays matter, the rest is filler."""

from __future__ import annotations

import numpy as np

from dom.model import Network, Policy


def ledger_network(
    on_hand: list[list[int]],
    *,
    safety_stock: list[list[int]] | None = None,
    reorder_point: list[list[int]] | None = None,
    enabled: list[bool] | None = None,
) -> Network:
    """A network with nodes ``FC0..`` and SKUs ``S0..`` and this stock, axes [node, sku]."""
    stock = np.asarray(on_hand, dtype=np.int64)
    num_nodes, num_skus = stock.shape
    zeros = np.zeros(num_nodes)
    return Network(
        node_ids=np.array([f"FC{i}" for i in range(num_nodes)]),
        node_names=np.array([""] * num_nodes),
        node_kinds=np.array(["warehouse"] * num_nodes),
        lat=zeros,
        lon=zeros,
        capacity=np.full(num_nodes, np.inf),
        handling_cost=zeros,
        processing_days=np.zeros(num_nodes, np.int64),
        enabled=np.ones(num_nodes, bool) if enabled is None else np.array(enabled),
        accepts_returns=np.ones(num_nodes, bool),
        sku_ids=np.array([f"S{j}" for j in range(num_skus)]),
        weight_lb=np.ones(num_skus),
        kit_ids=np.array([], dtype=str),
        kit_ptr=np.zeros(1, np.int64),
        kit_comp_sku=np.zeros(0, np.int64),
        kit_comp_qty=np.zeros(0, np.int64),
        on_hand=stock,
        safety_stock=np.zeros_like(stock) if safety_stock is None else np.array(safety_stock),
        reorder_point=(
            np.full_like(stock, -1) if reorder_point is None else np.array(reorder_point)
        ),
        zone_ids=np.zeros(0, np.int64),
        zone_min=np.zeros(0),
        zone_max=np.zeros(0),
        service_names=np.array([], dtype=str),
        transit_days=np.zeros((0, 0), np.int64),
        rate_price=np.zeros((0, 0, 2)),
        policy=Policy(0.0, 0.0, 0.0, None),
    )
