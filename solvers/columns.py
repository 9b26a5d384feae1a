"""The whole-order plans seen so far (columns) and the Lagrangian restricted to them.

Every exact pass of the Lagrangian search (``solvers.batch``) yields, for each order, its best plan
at the prices of that pass. Keeping those plans as columns lets the prices be searched on the
*restricted* dual, where each order picks the cheapest of its known plans: one pass over a few
short vectors per order instead of the exact kernel on every order, so a hundred price steps cost
about what one exact pass does. The exact pass then prices the new prices: it yields the proven
bound (the restricted dual is not one) and the plans that join the pool. This is column
generation with the restricted master's dual optimised by subgradient steps instead of an LP
solver (Lübbecke & Desrosiers 2005, Oper. Res. 53(6), "Selected topics in column generation";
Barahona & Anbil 2000 for subgradient-solved masters). Subgradient steps crawl once close;
:meth:`ColumnPool.master_prices` solves the restricted master LP itself (PDLP) for prices near its
optimum, at a cost that grows with the pool.

Resources are flat: stock of SKU ``s`` at node ``f`` is ``f * num_skus + s``, the capacity of node
``f`` is ``num_nodes * num_skus + f``; a price vector over them is :attr:`ColumnPool.num_resources`
long.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from solvers.instance import Instance, csr_gather
from solvers.mip import lp_duals
from solvers.order import plan_costs, plan_usage


@nb.njit(cache=True, parallel=True)
def _cheapest(order_ptr, order_cols, col_cost, use_ptr, use_res, use_units, price, chosen, value):
    """Each order's cheapest known plan at ``price``: its column and priced cost."""
    for o in nb.prange(len(order_ptr) - 1):
        best = np.inf
        best_k = order_cols[order_ptr[o]]  # every order has a column; all may cost inf
        for j in range(order_ptr[o], order_ptr[o + 1]):
            k = order_cols[j]
            c = col_cost[k]
            for e in range(use_ptr[k], use_ptr[k + 1]):
                c += use_units[e] * price[use_res[e]]
            if c < best:
                best = c
                best_k = k
        chosen[o] = best_k
        value[o] = best


@nb.njit(cache=True)
def _usage(chosen, use_ptr, use_res, use_units, usage):
    usage[:] = 0.0
    for k in chosen:
        for e in range(use_ptr[k], use_ptr[k + 1]):
            usage[use_res[e]] += use_units[e]


class ColumnPool:
    """Distinct whole-order plans per order, with their true cost and the resources they use."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.num_resources = inst.num_nodes * inst.num_skus + inst.num_nodes
        supply = np.concatenate([inst.available.reshape(-1), inst.capacity]).astype(np.float64)
        self.finite = np.isfinite(supply)
        self.supply = np.where(self.finite, supply, 0.0)  # unlimited capacity is never priced
        # a random weight per line makes each order's plan a 64-bit fingerprint (wrapping sums)
        self._weights = np.random.default_rng(0).integers(1, 2**62, inst.num_lines)
        self._seen = np.zeros(0, np.int64)
        self.col_order = np.zeros(0, np.int64)
        self.col_cost = np.zeros(0)
        self.use_ptr = np.zeros(1, np.int64)
        self.use_res = np.zeros(0, np.int64)
        self.use_units = np.zeros(0)
        self.order_ptr = np.zeros(inst.num_orders + 1, np.int64)
        self.order_cols = np.zeros(0, np.int64)

    @property
    def num_columns(self) -> int:
        return len(self.col_order)

    @property
    def num_uses(self) -> int:
        """Entries (column, resource) of the pool: the size of its master LP."""
        return len(self.use_res)

    def add(self, assign: np.ndarray) -> int:
        """Add each order's plan under ``assign`` unless the pool holds it; returns how many."""
        inst = self.inst
        with np.errstate(over="ignore"):
            marks = np.add.reduceat((assign + 2) * self._weights, inst.line_ptr[:-1])
        marks[np.diff(inst.line_ptr) == 0] = 0
        fresh = ~np.isin(marks, self._seen)
        orders = np.flatnonzero(fresh)
        if len(orders) == 0:
            return 0
        self._seen = np.concatenate([self._seen, marks[orders]])
        first = self.num_columns
        cost = plan_costs(inst, assign)[orders]
        lines, counts = csr_gather(inst.line_ptr, orders)
        col_of_line = np.repeat(np.arange(first, first + len(orders)), counts)
        placed = assign[lines] >= 0
        lines, col_of_line = lines[placed], col_of_line[placed]
        nodes = assign[lines]
        comps, comp_counts = csr_gather(inst.comp_ptr, lines)
        col = np.concatenate([np.repeat(col_of_line, comp_counts), col_of_line])
        res = np.concatenate(
            [
                np.repeat(nodes, comp_counts) * inst.num_skus + inst.comp_sku[comps],
                inst.num_nodes * inst.num_skus + nodes,
            ]
        )
        units = np.concatenate([inst.comp_units[comps], inst.line_units[lines]]).astype(float)
        by_col = np.argsort(col, kind="stable")
        per_col = np.bincount(col - first, minlength=len(orders))
        self.col_order = np.concatenate([self.col_order, orders])
        self.col_cost = np.concatenate([self.col_cost, cost])
        self.use_ptr = np.concatenate([self.use_ptr, self.use_ptr[-1] + np.cumsum(per_col)])
        self.use_res = np.concatenate([self.use_res, res[by_col]])
        self.use_units = np.concatenate([self.use_units, units[by_col]])
        self.order_cols = np.argsort(self.col_order, kind="stable")
        self.order_ptr = np.concatenate(
            [[0], np.cumsum(np.bincount(self.col_order, minlength=inst.num_orders))]
        )
        return len(orders)

    def usage(self, assign: np.ndarray) -> np.ndarray:
        """What a whole plan ``assign`` uses of each flat resource."""
        stock, capacity = plan_usage(self.inst, assign)
        return np.concatenate([stock.reshape(-1), capacity]).astype(np.float64)

    def restricted(self, price: np.ndarray) -> tuple[float, np.ndarray]:
        """The restricted dual at flat ``price`` and the resources its choices use (the
        subgradient is ``usage - supply``)."""
        num_orders = self.inst.num_orders
        chosen = np.empty(num_orders, np.int64)
        value = np.empty(num_orders)
        _cheapest(
            self.order_ptr, self.order_cols, self.col_cost, self.use_ptr, self.use_res,
            self.use_units, price, chosen, value,
        )  # fmt: skip
        usage = np.empty(self.num_resources)
        _usage(chosen, self.use_ptr, self.use_res, self.use_units, usage)
        # elementwise, not ``@``: a BLAS call's threads stall on a busy machine
        return float(value.sum() - (price * self.supply).sum()), usage

    def master_prices(self, time_limit: float) -> np.ndarray | None:
        """Prices from the restricted master LP: each order a convex mix of its columns, every
        finite resource within supply; a resource's price is minus its row's dual. None if the
        LP solver returned nothing by ``time_limit``."""
        num_orders, num_cols = self.inst.num_orders, self.num_columns
        col_of_use = np.repeat(np.arange(num_cols), np.diff(self.use_ptr))
        priced = self.finite[self.use_res]
        used = np.unique(self.use_res[priced])
        row_of = np.full(self.num_resources, -1, np.int64)
        row_of[used] = num_orders + np.arange(len(used))
        duals = lp_duals(
            self.col_cost,
            np.concatenate([self.col_order, row_of[self.use_res[priced]]]),
            np.concatenate([np.arange(num_cols), col_of_use[priced]]),
            np.concatenate([np.ones(num_cols), self.use_units[priced]]),
            np.concatenate([np.ones(num_orders), np.full(len(used), -np.inf)]),
            np.concatenate([np.ones(num_orders), self.supply[used]]),
            time_limit=time_limit,
        )
        if duals is None:
            return None
        prices = np.zeros(self.num_resources)
        prices[used] = np.maximum(-duals[num_orders:], 0.0)
        return prices
