"""Ruin-and-recreate improvement of a batch plan (large neighbourhood search).

Coordinate descent (re-routing one order against all others) cannot move scarce stock from one
order to another. Here a neighbourhood of orders that compete for the same SKU is released
together and re-routed one by one, in a random order, each by the exact single-order kernel
against what the rest of the plan leaves; the new plan of the neighbourhood is kept only if it is
cheaper (Shaw 1998, "related" removal; Ropke & Pisinger 2006, Transp. Sci. 40(4), ALNS).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from solvers.instance import Instance
from solvers.order import MAX_EXACT_LINES, _order_cost, _solve_order, _take, plan_usage


@nb.njit(cache=True)
def _ruin_recreate(
    rounds, size, seed, line_ptr, ship_complete, order_table, line_weight, line_backorder,
    line_units, comp_ptr, comp_sku, comp_units, ship_cost, split, max_ship, sku_ptr,
    sku_orders, avail, cap, assign,
):  # fmt: skip
    """``rounds`` ruin-and-recreate moves; ``avail``/``cap`` are what ``assign`` leaves.
    Returns the total saving."""
    np.random.seed(seed)
    num_lines = len(line_weight)
    dummy_price = np.zeros((1, 1))
    dummy_cap_price = np.zeros(1)
    hood = np.empty(size, np.int64)
    old = np.empty(num_lines, np.int64)  # scratch: old assignment of the released lines
    saved = 0.0
    for _ in range(rounds):
        # seed: a random line, preferably unfilled; its first SKU names the neighbourhood
        li = np.random.randint(num_lines)
        for _try in range(8):
            if assign[li] < 0:
                break
            li = np.random.randint(num_lines)
        s = comp_sku[comp_ptr[li]]
        lo, hi = sku_ptr[s], sku_ptr[s + 1]
        if hi - lo < 2:
            continue
        k = min(size, hi - lo)
        # k distinct random orders demanding s (partial Fisher-Yates on a copy-free index)
        count = 0
        for _draw in range(4 * k):
            o = sku_orders[lo + np.random.randint(hi - lo)]
            if line_ptr[o + 1] - line_ptr[o] > MAX_EXACT_LINES:
                continue
            dup = False
            for j in range(count):
                if hood[j] == o:
                    dup = True
                    break
            if not dup:
                hood[count] = o
                count += 1
                if count == k:
                    break
        if count < 2:
            continue
        before = 0.0
        for j in range(count):
            o = hood[j]
            before += _order_cost(
                o, line_ptr, order_table, line_weight, line_backorder, ship_cost, split, assign, 0
            )  # fmt: skip
            for i in range(line_ptr[o], line_ptr[o + 1]):
                old[i] = assign[i]
            _take(o, line_ptr, line_units, comp_ptr, comp_sku, comp_units, assign, avail, cap, 1)
        # recreate in a random order
        for j in range(count - 1, 0, -1):
            r = np.random.randint(j + 1)
            hood[j], hood[r] = hood[r], hood[j]
        after = 0.0
        for j in range(count):
            o = hood[j]
            after += _solve_order(
                o, line_ptr, ship_complete, order_table, line_weight, line_backorder, line_units,
                comp_ptr, comp_sku, comp_units, avail, cap, ship_cost, split, max_ship,
                dummy_price, dummy_cap_price, False, assign,
            )  # fmt: skip
            _take(o, line_ptr, line_units, comp_ptr, comp_sku, comp_units, assign, avail, cap, -1)
        if after < before - 1e-9:
            saved += before - after
            continue
        for j in range(count):  # worse or equal: put the old plan back
            o = hood[j]
            _take(o, line_ptr, line_units, comp_ptr, comp_sku, comp_units, assign, avail, cap, 1)
        for j in range(count):
            o = hood[j]
            for i in range(line_ptr[o], line_ptr[o + 1]):
                assign[i] = old[i]
            _take(o, line_ptr, line_units, comp_ptr, comp_sku, comp_units, assign, avail, cap, -1)
    return saved


class RuinRecreate:
    """Ruin-and-recreate moves on one instance; keeps its SKU-to-orders index between calls."""

    def __init__(self, inst: Instance, *, size: int = 12, seed: int = 0) -> None:
        self.inst = inst
        self.size = size
        self.seed = seed
        order_of_comp = np.repeat(
            np.repeat(np.arange(inst.num_orders), np.diff(inst.line_ptr)), np.diff(inst.comp_ptr)
        )
        pairs = np.unique(inst.comp_sku * inst.num_orders + order_of_comp)
        sku, self.sku_orders = np.divmod(pairs, inst.num_orders)
        self.sku_ptr = np.searchsorted(sku, np.arange(inst.num_skus + 1)).astype(np.int64)

    def improve(self, assign: np.ndarray, rounds: int) -> tuple[np.ndarray, float]:
        """``rounds`` moves on a copy of ``assign``; returns the new plan and what it saved."""
        inst = self.inst
        assign = assign.copy()
        used, used_cap = plan_usage(inst, assign)
        avail = inst.available - used
        cap = inst.capacity - used_cap
        self.seed += 1
        saved = _ruin_recreate(
            rounds, self.size, self.seed, inst.line_ptr, inst.ship_complete, inst.order_table,
            inst.line_weight, inst.line_backorder, inst.line_units, inst.comp_ptr, inst.comp_sku,
            inst.comp_units, inst.ship_cost, inst.split_penalty, inst.max_shipments,
            self.sku_ptr, self.sku_orders, avail, cap, assign,
        )  # fmt: skip
        return assign, float(saved)
