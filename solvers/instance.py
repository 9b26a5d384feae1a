"""The immutable columnar instance every allocation solver works on.

Built once from a network and its orders by :func:`dom.costs.build_instance`; solvers see only
these arrays (ids are dense integers). Shapes are checked once, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


@dataclass(frozen=True, eq=False)
class Instance:
    """Orders, stock, capacity and the priced shipment tables of one allocation problem.

    A *table* ``t`` is one (node, zone, promised-days) combination: ``ship_cost[t, b]`` is the
    cost of one shipment of billable weight ``b`` lb under it (carrier price of the cheapest
    service + handling + late penalty, contracts §3), ``np.inf`` where no service can carry it.
    ``order_table[order, node]`` names the table of each (order, node) pair, ``-1`` where the
    node cannot ship to that order (disabled, or the distance falls in no zone).
    """

    # orders, axis [order]; lines of order o are line_ptr[o]:line_ptr[o+1]
    line_ptr: np.ndarray  # int64 [order + 1]
    ship_complete: np.ndarray  # bool [order]
    order_table: np.ndarray  # int32 [order, node]
    # lines, axis [line]
    line_weight: np.ndarray  # float64, lb of the whole line (qty x item weight)
    line_backorder: np.ndarray  # float64, penalty if the line goes unfilled
    line_units: np.ndarray  # int64, units counted against capacity (kit lines: component units)
    comp_ptr: np.ndarray  # int64 [line + 1]; the SKUs a line draws, CSR
    comp_sku: np.ndarray  # int64 [nnz]
    comp_units: np.ndarray  # int64 [nnz]
    # shared resources
    available: np.ndarray  # int64 [node, sku]
    capacity: np.ndarray  # float64 [node], np.inf when unlimited
    # cost tables
    ship_cost: np.ndarray  # float64 [table, billable_lb + 1]
    split_penalty: float
    max_shipments: int  # 0: unlimited

    def __post_init__(self) -> None:
        num_orders = len(self.ship_complete)
        num_lines = len(self.line_weight)
        num_nodes = self.available.shape[0]
        checks = {
            "line_ptr": self.line_ptr.shape == (num_orders + 1,) and self.line_ptr[-1] == num_lines,
            "order_table": self.order_table.shape == (num_orders, num_nodes),
            "line_backorder": self.line_backorder.shape == (num_lines,),
            "line_units": self.line_units.shape == (num_lines,),
            "comp_ptr": self.comp_ptr.shape == (num_lines + 1,),
            "comp_units": self.comp_units.shape == self.comp_sku.shape,
            "capacity": self.capacity.shape == (num_nodes,),
            "ship_cost": self.ship_cost.ndim == 2,
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"Instance arrays have inconsistent shapes: {', '.join(bad)}")

    @property
    def num_orders(self) -> int:
        return len(self.ship_complete)

    @property
    def num_lines(self) -> int:
        return len(self.line_weight)

    @property
    def num_nodes(self) -> int:
        return int(self.available.shape[0])

    @property
    def num_skus(self) -> int:
        return int(self.available.shape[1])

    @property
    def max_billable_lb(self) -> int:
        return int(self.ship_cost.shape[1] - 1)

    @cached_property
    def order_units(self) -> np.ndarray:
        """Units each order counts against capacity, ``[order]`` (float64)."""
        order_of_line = np.repeat(np.arange(self.num_orders), np.diff(self.line_ptr))
        return np.bincount(order_of_line, weights=self.line_units, minlength=self.num_orders)

    @cached_property
    def order_of_comp(self) -> np.ndarray:
        """The order each component (entry of ``comp_sku``) belongs to, ``[nnz]``."""
        order_of_line = np.repeat(np.arange(self.num_orders), np.diff(self.line_ptr))
        return np.repeat(order_of_line, np.diff(self.comp_ptr))


def csr_gather(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flat positions of the CSR slices ``ptr[r]:ptr[r+1]`` for each r in ``rows``, concatenated,
    and the length of each slice (vectorised: no Python loop over rows)."""
    rows = np.asarray(rows, dtype=np.int64)
    counts = ptr[rows + 1] - ptr[rows]
    starts = np.repeat(ptr[rows], counts)
    out_ptr = np.concatenate([[0], np.cumsum(counts)])
    offsets = np.arange(out_ptr[-1]) - np.repeat(out_ptr[:-1], counts)
    return (starts + offsets).astype(np.int64), counts.astype(np.int64)
