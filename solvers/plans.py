"""What a plan costs and draws: the cost model's rules as the solvers apply them (contracts §3).

A plan is ``assign[line]``, the node of each line or -1 for unfilled. These compiled primitives
price an order's shipments, check and move the stock it draws, and sum a plan's usage; every
solver uses them, so a plan costs the same whichever solver made it.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from solvers.instance import Instance, csr_gather

WEIGHT_EPS = 1e-9  # a package of exactly 2.0 lb bills as 2 lb, not 3 (float noise)


@nb.vectorize([nb.int64(nb.float64)], cache=True)
def billable_lb(weight):
    """Billable weight B = max(1, ceil(W - 1e-9)) of a package of W lb; a numpy ufunc, also
    callable on scalars from compiled code."""
    b = int(np.ceil(weight - WEIGHT_EPS))
    return b if b > 1 else 1


@nb.njit(cache=True)
def lines_fit(first, last, f, avail, comp_ptr, comp_sku, comp_units):
    """Whether node ``f`` holds the stock that lines ``first..last-1`` draw together (their
    components are contiguous; a SKU drawn by several of them counts once, summed)."""
    for c in range(comp_ptr[first], comp_ptr[last]):
        need = 0
        for c2 in range(comp_ptr[first], comp_ptr[last]):
            if comp_sku[c2] == comp_sku[c]:
                need += comp_units[c2]
        if need > avail[f, comp_sku[c]]:
            return False
    return True


@nb.njit(cache=True)
def order_cost_kernel(
    o, line_ptr, order_table, line_weight, line_backorder, ship_cost, split, assign
):
    """True cost (contracts §3) of order ``o`` under ``assign``; inf if a shipment can't go."""
    first = line_ptr[o]
    last = line_ptr[o + 1]
    max_b = ship_cost.shape[1] - 1
    total = 0.0
    shipments = 0
    for i in range(first, last):
        f = assign[i]
        if f < 0:
            total += line_backorder[i]
            continue
        seen = False
        for i2 in range(first, i):
            if assign[i2] == f:
                seen = True
                break
        if seen:
            continue
        weight = 0.0
        for i2 in range(i, last):
            if assign[i2] == f:
                weight += line_weight[i2]
        t = order_table[o, f]
        b = billable_lb(weight)
        if t < 0 or b > max_b:
            return np.inf
        total += ship_cost[t, b]
        shipments += 1
    if shipments > 1:
        total += split * (shipments - 1)
    return total


@nb.njit(cache=True)
def move_stock(o, line_ptr, line_units, comp_ptr, comp_sku, comp_units, assign, avail, cap, sign):
    """Add (sign=-1: consume, +1: give back) the stock and capacity order ``o`` uses."""
    for i in range(line_ptr[o], line_ptr[o + 1]):
        f = assign[i]
        if f < 0:
            continue
        cap[f] += sign * line_units[i]
        for c in range(comp_ptr[i], comp_ptr[i + 1]):
            avail[f, comp_sku[c]] += sign * comp_units[c]


def order_cost(inst: Instance, order: int, assign: np.ndarray) -> float:
    """True cost of one order under ``assign`` (node per line of that order, -1 unfilled)."""
    full = np.full(inst.num_lines, -1, np.int64)
    full[inst.line_ptr[order] : inst.line_ptr[order + 1]] = assign
    return float(
        order_cost_kernel(
            order, inst.line_ptr, inst.order_table, inst.line_weight, inst.line_backorder,
            inst.ship_cost, inst.split_penalty, full,
        )
    )  # fmt: skip


@nb.njit(cache=True)
def _plan_costs(line_ptr, order_table, line_weight, line_backorder, ship_cost, split, assign):
    num_orders = len(line_ptr) - 1
    out = np.empty(num_orders)
    for o in range(num_orders):
        out[o] = order_cost_kernel(
            o, line_ptr, order_table, line_weight, line_backorder, ship_cost, split, assign
        )
    return out


def plan_costs(inst: Instance, assign: np.ndarray) -> np.ndarray:
    """True cost of every order, ``[order]``, under a whole plan ``assign[line]``."""
    return _plan_costs(
        inst.line_ptr, inst.order_table, inst.line_weight, inst.line_backorder,
        inst.ship_cost, inst.split_penalty, assign,
    )  # fmt: skip


def plan_capacity(inst: Instance, assign: np.ndarray) -> np.ndarray:
    """Units a plan ships from each node: ``capacity[node]``."""
    lines = assign >= 0
    return np.bincount(assign[lines], weights=inst.line_units[lines], minlength=inst.num_nodes)


def plan_usage(inst: Instance, assign: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Units a plan draws: ``stock[node, sku]`` and ``capacity[node]``."""
    lines = np.flatnonzero(assign >= 0)
    comps, counts = csr_gather(inst.comp_ptr, lines)
    flat = np.repeat(assign[lines], counts) * inst.num_skus + inst.comp_sku[comps]
    # bincount, not ``np.add.at``, which is several times slower (docs/allocation.md, The problem)
    stock = np.bincount(flat, weights=inst.comp_units[comps], minlength=inst.available.size)
    return stock.astype(np.int64).reshape(inst.available.shape), plan_capacity(inst, assign)
