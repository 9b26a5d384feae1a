"""Small networks for ledger tests: only the inventory arrays matter, the rest is filler."""

from __future__ import annotations

import dataclasses

import numpy as np

from dom.model import Network
from tests.factories import random_network


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
    filler = random_network(np.random.default_rng(0), num_nodes=num_nodes, num_skus=num_skus)
    return dataclasses.replace(
        filler,
        node_ids=np.array([f"FC{i}" for i in range(num_nodes)]),
        node_index={},  # rebuilt from node_ids
        capacity=np.full(num_nodes, np.inf),
        enabled=np.ones(num_nodes, bool) if enabled is None else np.array(enabled),
        kit_ids=np.array([], dtype=str),
        kit_ptr=np.zeros(1, np.int64),
        kit_comp_sku=np.zeros(0, np.int64),
        kit_comp_qty=np.zeros(0, np.int64),
        kit_index={},
        on_hand=stock,
        safety_stock=np.zeros_like(stock) if safety_stock is None else np.array(safety_stock),
        reorder_point=(
            np.full_like(stock, -1) if reorder_point is None else np.array(reorder_point)
        ),
    )
