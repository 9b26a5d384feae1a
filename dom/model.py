"""The domain's data: a network bundle and a set of orders, columnar and immutable.

Ids are mapped to dense integers once, at load time (``dom.io``): node ``f`` in ``0..num_nodes-1``
(file order of ``fcs.csv``), SKU ``s`` in ``0..num_skus-1`` (file order of ``skus.csv``), kit ``k``
in ``0..num_kits-1``. Orders refer to *items*: item ``i < num_skus`` is SKU ``i``, item
``num_skus + k`` is kit ``k``. Arrays carry their axes in comments (``on_hand[node, sku]``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Policy:
    """``policy.yaml``: the penalties of the cost model (contracts §3)."""

    late_penalty_per_day: float
    backorder_penalty_per_unit: float
    split_penalty: float
    max_shipments_per_order: int | None  # None: unlimited


@dataclass(frozen=True, eq=False)
class Network:
    """A validated network bundle (contracts §1)."""

    # nodes, axis [node]
    node_ids: np.ndarray  # str
    node_names: np.ndarray  # str ("" when not given)
    node_kinds: np.ndarray  # str: "warehouse" | "store"
    lat: np.ndarray  # float64
    lon: np.ndarray  # float64
    capacity: np.ndarray  # float64, np.inf when unlimited
    handling_cost: np.ndarray  # float64
    processing_days: np.ndarray  # int64
    enabled: np.ndarray  # bool
    # SKUs, axis [sku]
    sku_ids: np.ndarray  # str
    weight_lb: np.ndarray  # float64 > 0
    # kits, axis [kit]; components in CSR form: kit k has kit_comp_sku[kit_ptr[k]:kit_ptr[k+1]]
    kit_ids: np.ndarray  # str
    kit_ptr: np.ndarray  # int64 [num_kits + 1]
    kit_comp_sku: np.ndarray  # int64 [nnz] sku index
    kit_comp_qty: np.ndarray  # int64 [nnz] units of that SKU per kit
    # inventory, axes [node, sku]; zero where the file has no row
    on_hand: np.ndarray  # int64
    safety_stock: np.ndarray  # int64
    reorder_point: np.ndarray  # int64, -1 where not given
    # zones, axis [zone]: zone_ids[z] applies when zone_min[z] <= miles < zone_max[z]
    zone_ids: np.ndarray  # int64
    zone_min: np.ndarray  # float64
    zone_max: np.ndarray  # float64
    # services, axis [service]
    service_names: np.ndarray  # str, sorted by name
    transit_days: np.ndarray  # int64 [service, zone], -1 where not offered
    # rates: price of one package of billable weight b (1..max) is rate_price[service, zone, b],
    # already resolved to "the smallest breakpoint >= b"; np.inf where the service cannot carry it.
    # Index 0 is unused (billable weight is at least 1).
    rate_price: np.ndarray  # float64 [service, zone, max_billable_lb + 1]
    policy: Policy
    source: Path | None = None
    sku_index: dict[str, int] = field(default_factory=dict)  # sku id -> sku index
    kit_index: dict[str, int] = field(default_factory=dict)  # kit id -> kit index
    node_index: dict[str, int] = field(default_factory=dict)  # fc id -> node index

    def __post_init__(self) -> None:
        # id -> index maps, built from the id arrays when the caller did not pass them
        for name, ids in (
            ("sku_index", self.sku_ids),
            ("kit_index", self.kit_ids),
            ("node_index", self.node_ids),
        ):
            if not getattr(self, name) and len(ids):
                object.__setattr__(self, name, {str(v): i for i, v in enumerate(ids)})

    @property
    def num_nodes(self) -> int:
        return len(self.node_ids)

    @property
    def num_skus(self) -> int:
        return len(self.sku_ids)

    @property
    def num_kits(self) -> int:
        return len(self.kit_ids)

    @property
    def max_billable_lb(self) -> int:
        return self.rate_price.shape[2] - 1

    def available(self) -> np.ndarray:
        """Units free to allocate, ``max(0, on_hand - safety_stock)`` per [node, sku]; zero at
        disabled nodes."""
        avail = np.maximum(self.on_hand - self.safety_stock, 0)
        avail[~self.enabled] = 0
        return avail

    def item_id(self, item: int) -> str:
        """The SKU or kit id of an item index."""
        if item < self.num_skus:
            return str(self.sku_ids[item])
        return str(self.kit_ids[item - self.num_skus])


@dataclass(frozen=True, eq=False)
class Orders:
    """Validated orders (contracts §2), one row per order, lines in CSR form.

    Lines of order ``o`` are ``line_ptr[o]:line_ptr[o+1]``, in ``line_no`` order (their file order
    among that order's rows). Orders keep the order of their first appearance.
    """

    order_ids: np.ndarray  # str [order]
    dest_lat: np.ndarray  # float64 [order]
    dest_lon: np.ndarray  # float64 [order]
    promised_days: np.ndarray  # int64 [order]
    ship_complete: np.ndarray  # bool [order]
    channel: np.ndarray  # str [order], "" when not given
    line_ptr: np.ndarray  # int64 [order + 1]
    line_item: np.ndarray  # int64 [line]: sku index, or num_skus + kit index
    line_qty: np.ndarray  # int64 [line] > 0
    source: Path | None = None

    @property
    def num_orders(self) -> int:
        return len(self.order_ids)

    @property
    def num_lines(self) -> int:
        return len(self.line_item)
