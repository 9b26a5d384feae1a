"""The whole-order plans seen so far (columns) and the Lagrangian restricted to them.

Every exact pass of the Lagrangian search (``solvers.batch``) yields, for each order, its best plan
at the prices of that pass. Keeping those plans as columns lets the prices be searched on the
*restricted* dual, where each order picks the cheapest of its known plans: one pass over a few
short vectors per order instead of the exact kernel on every order, so a price step costs a small
share of an exact pass (docs/allocation.md, The column pool and the restricted dual). The exact
pass then prices the new prices: it yields the proven bound (the restricted dual is not one) and
the plans that join the pool. This is column generation with the restricted master's dual
optimised by subgradient steps instead of an LP solver (Lübbecke & Desrosiers 2005, Oper. Res.
53(6), "Selected topics in column generation"; Barahona & Anbil 2000 for subgradient-solved
masters). Subgradient steps crawl once close; :meth:`ColumnPool.master_prices` solves the
restricted master LP itself (PDLP) for prices near its optimum, at a cost that grows with the
pool.

Resources are flat: stock of SKU ``s`` at node ``f`` is ``f * num_skus + s``, the capacity of node
``f`` is ``num_nodes * num_skus + f``, then the stock cuts (``solvers.cuts``), cut ``k`` at
``num_nodes * (num_skus + 1) + k``; a price vector over them is :attr:`ColumnPool.num_resources`
long.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from solvers.cuts import order_cut_uses, stock_cuts, tally_cuts
from solvers.cuts import scratch as cut_scratch
from solvers.instance import Instance
from solvers.mip import lp_duals
from solvers.plans import plan_costs, plan_usage


@nb.njit(cache=True, parallel=True)
def _cheapest(
    order_ptr, col_cost, use_ptr, use_cap, use_res, use_units, price, cap_priced, chosen, value
):  # fmt: skip
    """Each order's cheapest known plan at ``price``: its column and priced cost (an order's
    columns are ``order_ptr[o]:order_ptr[o + 1]``, so their data lie together in memory). A
    column's capacity entries (from ``use_cap[k]``) are read only if ``cap_priced``: they are
    half the entries, and where capacity is slack no price search ever prices it."""
    for o in nb.prange(len(order_ptr) - 1):
        best = np.inf
        best_k = order_ptr[o]  # every order has a column; all may cost inf
        for k in range(order_ptr[o], order_ptr[o + 1]):
            c = col_cost[k]
            for e in range(use_ptr[k], use_ptr[k + 1] if cap_priced else use_cap[k]):
                c += use_units[e] * price[use_res[e]]
            if c < best:
                best = c
                best_k = k
        chosen[o] = best_k
        value[o] = best


@nb.njit(cache=True)
def _update_usage(chosen, last, use_ptr, use_res, use_units, usage):
    """Move ``usage`` from the columns ``last`` to ``chosen`` (per order), touching only the
    orders whose choice changed: between two price steps most keep theirs. Units are whole
    numbers, so the running sums stay exact."""
    for o in range(len(chosen)):
        k, old = chosen[o], last[o]
        if k == old:
            continue
        if old >= 0:
            for e in range(use_ptr[old], use_ptr[old + 1]):
                usage[use_res[e]] -= use_units[e]
        for e in range(use_ptr[k], use_ptr[k + 1]):
            usage[use_res[e]] += use_units[e]
        last[o] = k


@nb.njit(cache=True)
def _merged(
    order_ptr, col_cost, col_mark, use_ptr, use_cap, use_res, use_units, mark, cost, assign,
    line_ptr, line_units, comp_ptr, comp_sku, comp_units, num_nodes, num_skus, may_cut, cut_ptr,
    cut_div, cells, units, out_cut, out_count,
):  # fmt: skip
    """The pool with each order's plan in ``assign`` (fingerprint ``mark``, true cost ``cost``)
    appended to that order's columns unless one of them has its fingerprint; columns stay
    grouped by order, and a column's entries are its stock, then its cuts, then its capacity
    (from ``use_cap``); only the orders flagged in ``may_cut`` can use a cut. Returns the new
    arrays and how many columns were added."""
    num_orders = len(order_ptr) - 1
    first_cut = num_nodes * num_skus + num_nodes
    fresh = np.zeros(num_orders, np.bool_)
    extra_cols = 0
    extra_uses = 0
    for o in range(num_orders):
        fresh[o] = True
        for k in range(order_ptr[o], order_ptr[o + 1]):
            if col_mark[k] == mark[o]:
                fresh[o] = False
                break
        if fresh[o]:
            extra_cols += 1
            for i in range(line_ptr[o], line_ptr[o + 1]):
                if assign[i] >= 0:
                    extra_uses += comp_ptr[i + 1] - comp_ptr[i] + 1
            if may_cut[o]:
                extra_uses += order_cut_uses(
                    o, line_ptr, comp_ptr, comp_sku, comp_units, assign, num_skus, cut_ptr,
                    cut_div, cells, units, out_cut, out_count,
                )  # fmt: skip
    num_cols = len(col_cost) + extra_cols
    new_order_ptr = np.zeros(num_orders + 1, np.int64)
    new_cost = np.empty(num_cols)
    new_mark = np.empty(num_cols, np.int64)
    new_use_ptr = np.zeros(num_cols + 1, np.int64)
    new_cap = np.empty(num_cols, np.int64)
    new_res = np.empty(len(use_res) + extra_uses, np.int64)
    new_units = np.empty(len(use_res) + extra_uses)
    k2 = 0
    e2 = 0
    for o in range(num_orders):
        for k in range(order_ptr[o], order_ptr[o + 1]):
            new_cost[k2] = col_cost[k]
            new_mark[k2] = col_mark[k]
            new_cap[k2] = use_cap[k] - use_ptr[k] + e2
            for e in range(use_ptr[k], use_ptr[k + 1]):
                new_res[e2] = use_res[e]
                new_units[e2] = use_units[e]
                e2 += 1
            k2 += 1
            new_use_ptr[k2] = e2
        if fresh[o]:
            new_cost[k2] = cost[o]
            new_mark[k2] = mark[o]
            for i in range(line_ptr[o], line_ptr[o + 1]):
                f = assign[i]
                if f < 0:
                    continue
                for c in range(comp_ptr[i], comp_ptr[i + 1]):
                    new_res[e2] = f * num_skus + comp_sku[c]
                    new_units[e2] = comp_units[c]
                    e2 += 1
            num_cuts = 0
            if may_cut[o]:
                num_cuts = order_cut_uses(
                    o, line_ptr, comp_ptr, comp_sku, comp_units, assign, num_skus, cut_ptr,
                    cut_div, cells, units, out_cut, out_count,
                )  # fmt: skip
            for j in range(num_cuts):
                new_res[e2] = first_cut + out_cut[j]
                new_units[e2] = out_count[j]
                e2 += 1
            new_cap[k2] = e2
            for i in range(line_ptr[o], line_ptr[o + 1]):
                if assign[i] >= 0:
                    new_res[e2] = num_nodes * num_skus + assign[i]
                    new_units[e2] = line_units[i]
                    e2 += 1
            k2 += 1
            new_use_ptr[k2] = e2
        new_order_ptr[o + 1] = k2
    return new_order_ptr, new_cost, new_mark, new_use_ptr, new_cap, new_res, new_units, extra_cols


class ColumnPool:
    """Distinct whole-order plans per order, with their true cost and the resources they use."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.cuts = stock_cuts(inst)
        self._scratch = cut_scratch(inst, self.cuts)
        self._may_cut = np.zeros(inst.num_orders, bool)  # the orders that can use a cut
        self._may_cut[self.cuts.orders] = True
        self.num_resources = inst.num_nodes * inst.num_skus + inst.num_nodes + self.cuts.num_cuts
        supply = np.concatenate(
            [inst.available.reshape(-1), inst.capacity, self.cuts.supply]
        ).astype(np.float64)
        self.finite = np.isfinite(supply)
        self.supply = np.where(self.finite, supply, 0.0)  # unlimited capacity is never priced
        # a random weight per line makes each order's plan a 64-bit fingerprint (wrapping sums)
        self._weights = np.random.default_rng(0).integers(1, 2**62, inst.num_lines)
        # columns grouped by order: those of order o are order_ptr[o]:order_ptr[o + 1]
        self.col_cost = np.zeros(0)
        self._col_mark = np.zeros(0, np.int64)
        self.use_ptr = np.zeros(1, np.int64)
        self.use_cap = np.zeros(0, np.int64)  # where each column's capacity entries start
        self.use_res = np.zeros(0, np.int64)
        self.use_units = np.zeros(0)
        self.order_ptr = np.zeros(inst.num_orders + 1, np.int64)
        # the restricted dual's last choice per order and what those columns use (``restricted``)
        self._chosen = np.full(inst.num_orders, -1, np.int64)
        self._usage = np.zeros(self.num_resources)

    @property
    def num_columns(self) -> int:
        return len(self.col_cost)

    @property
    def col_order(self) -> np.ndarray:
        """The order of each column."""
        return np.repeat(np.arange(self.inst.num_orders), np.diff(self.order_ptr))

    def add(self, assign: np.ndarray) -> int:
        """Add each order's plan under ``assign`` unless the pool holds it; returns how many."""
        inst = self.inst
        with np.errstate(over="ignore"):
            marks = np.add.reduceat((assign + 2) * self._weights, inst.line_ptr[:-1])
        marks[np.diff(inst.line_ptr) == 0] = 0
        (
            self.order_ptr, self.col_cost, self._col_mark, self.use_ptr, self.use_cap,
            self.use_res, self.use_units, added,
        ) = _merged(
            self.order_ptr, self.col_cost, self._col_mark, self.use_ptr, self.use_cap,
            self.use_res, self.use_units, marks, plan_costs(inst, assign), assign, inst.line_ptr,
            inst.line_units, inst.comp_ptr, inst.comp_sku, inst.comp_units, inst.num_nodes,
            inst.num_skus, self._may_cut, self.cuts.ptr, self.cuts.div, *self._scratch,
        )  # fmt: skip
        if added:
            self._chosen[:] = -1  # column numbers changed: the next usage is summed afresh
            self._usage[:] = 0.0
        return int(added)

    def usage(self, assign: np.ndarray) -> np.ndarray:
        """What a whole plan ``assign`` uses of each flat resource."""
        inst = self.inst
        stock, capacity = plan_usage(inst, assign)
        cuts, _ = self.cut_tally(assign, np.zeros(self.cuts.num_cuts))
        return np.concatenate([stock.reshape(-1), capacity, cuts]).astype(np.float64)

    def cut_tally(
        self, assign: np.ndarray, price: np.ndarray, orders: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """What plan ``assign`` uses of each stock cut, and each order's cut charge at
        ``price`` (per cut); with ``orders``, only theirs are counted."""
        inst = self.inst
        usage, charge = np.zeros(self.cuts.num_cuts), np.zeros(inst.num_orders)
        counted = self.cuts.orders if orders is None else orders[self._may_cut[orders]]
        tally_cuts(
            counted, inst.line_ptr, inst.comp_ptr, inst.comp_sku, inst.comp_units, assign,
            inst.num_skus, self.cuts.ptr, self.cuts.div, price, *self._scratch, usage, charge,
        )  # fmt: skip
        return usage, charge

    def restricted(self, price: np.ndarray) -> tuple[float, np.ndarray]:
        """The restricted dual at flat ``price`` and the resources its choices use (the
        subgradient is ``usage - supply``)."""
        inst = self.inst
        chosen = np.empty(inst.num_orders, np.int64)
        value = np.empty(inst.num_orders)
        stock = inst.num_nodes * inst.num_skus
        cap_priced = bool(price[stock : stock + inst.num_nodes].any())
        _cheapest(
            self.order_ptr, self.col_cost, self.use_ptr, self.use_cap, self.use_res,
            self.use_units, price, cap_priced, chosen, value,
        )  # fmt: skip
        _update_usage(chosen, self._chosen, self.use_ptr, self.use_res, self.use_units, self._usage)
        # elementwise, not ``@``: a BLAS call's threads stall on a busy machine
        return float(value.sum() - (price * self.supply).sum()), self._usage.copy()

    def _on_rows(self, active: np.ndarray | None) -> np.ndarray:
        """Per pool entry (column, resource): whether the master LP has a row for its resource,
        a finite one, and ``active`` (flat mask) if given."""
        rows = self.finite if active is None else self.finite & active
        return rows[self.use_res]

    def master_size(self, active: np.ndarray | None = None) -> int:
        """Pool entries in the master LP of :meth:`master_prices`: what its time grows with."""
        return int(np.count_nonzero(self._on_rows(active)))

    def master_prices(
        self, time_limit: float, active: np.ndarray | None = None
    ) -> np.ndarray | None:
        """Prices from the restricted master LP: each order a convex mix of its columns, every
        finite resource within supply; a resource's price is minus its row's dual. With
        ``active`` (a flat mask) only those resources get rows and only the orders with a column
        drawing on one take part: an order drawing on no row does not move the duals, and on large
        days most draw only on stock nobody lacks (docs/allocation.md, LP master steps and
        smoothing). The others' prices are 0. None if the LP solver returned nothing by
        ``time_limit``."""
        entries = np.flatnonzero(self._on_rows(active))
        col_order = self.col_order
        col_of_use = np.repeat(np.arange(self.num_columns), np.diff(self.use_ptr))
        orders = np.unique(col_order[col_of_use[entries]])
        order_row = np.full(self.inst.num_orders, -1, np.int64)
        order_row[orders] = np.arange(len(orders))
        cols = np.flatnonzero(order_row[col_order] >= 0)
        var_of_col = np.full(self.num_columns, -1, np.int64)
        var_of_col[cols] = np.arange(len(cols))
        res = self.use_res[entries]
        used = np.unique(res)
        row_of = np.full(self.num_resources, -1, np.int64)
        row_of[used] = len(orders) + np.arange(len(used))
        duals = lp_duals(
            self.col_cost[cols],
            np.concatenate([order_row[col_order[cols]], row_of[res]]),
            np.concatenate([np.arange(len(cols)), var_of_col[col_of_use[entries]]]),
            np.concatenate([np.ones(len(cols)), self.use_units[entries]]),
            np.concatenate([np.ones(len(orders)), np.full(len(used), -np.inf)]),
            np.concatenate([np.ones(len(orders)), self.supply[used]]),
            time_limit=time_limit,
        )
        if duals is None:
            return None
        prices = np.zeros(self.num_resources)
        prices[used] = np.maximum(-duals[len(orders) :], 0.0)
        return prices
