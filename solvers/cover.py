"""Orders too long for the exact kernel: a greedy set cover of their lines by node packages.

Each round picks the node whose package (the remaining lines it can add, dearest first, within
stock, capacity and the weight limit) saves most against leaving them unfilled. A heuristic: the
batch solver bounds these orders line by line instead (``solvers.batch.pricing.line_bound``).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from solvers.plans import billable_lb

_EPS = 1e-9


@nb.njit(cache=True)
def cover_large_order(
    o, lines, order_table, line_weight, line_backorder, line_units, comp_ptr, comp_sku,
    comp_units, avail, cap, ship_cost, split, max_ship, complete, price, cap_price, use_prices,
    assign,
):  # fmt: skip
    """Orders with more live lines than the exact DP takes: greedy set cover. Each round picks
    the node whose package (the remaining lines it can add, dearest first, within stock,
    capacity and the weight limit) saves most against leaving them unfilled. A heuristic: the
    batch solver bounds these orders separately (``solvers.batch.pricing.line_bound``)."""
    n = len(lines)
    num_nodes = order_table.shape[1]
    max_b = ship_cost.shape[1] - 1
    order = np.argsort(-line_backorder[lines])
    open_line = np.ones(n, np.bool_)
    node_used = np.zeros(num_nodes, np.bool_)
    taken = np.zeros(n, np.bool_)
    best_take = np.zeros(n, np.bool_)
    total = 0.0
    for i in range(n):
        total += line_backorder[lines[i]]
    rounds = n if max_ship <= 0 else min(n, max_ship)
    if complete:
        rounds = 1
    for r in range(rounds):
        best_gain = 0.0
        best_f = -1
        for f in range(num_nodes):
            t = order_table[o, f]
            if t < 0 or node_used[f]:
                continue
            weight = 0.0
            units = 0
            value = 0.0
            priced = 0.0
            taken[:] = False
            for q in range(n):
                i = order[q]
                li = lines[i]
                if not open_line[i] or units + line_units[li] > cap[f]:
                    continue
                if billable_lb(weight + line_weight[li]) > max_b:
                    continue
                ok = True
                for c in range(comp_ptr[li], comp_ptr[li + 1]):
                    need = comp_units[c]
                    for i2 in range(n):
                        if taken[i2]:
                            l2 = lines[i2]
                            for c2 in range(comp_ptr[l2], comp_ptr[l2 + 1]):
                                if comp_sku[c2] == comp_sku[c]:
                                    need += comp_units[c2]
                    if need > avail[f, comp_sku[c]]:
                        ok = False
                        break
                if not ok:
                    continue
                taken[i] = True
                weight += line_weight[li]
                units += line_units[li]
                value += line_backorder[li]
                if use_prices:
                    priced += line_units[li] * cap_price[f]
                    for c in range(comp_ptr[li], comp_ptr[li + 1]):
                        priced += comp_units[c] * price[f, comp_sku[c]]
            if units == 0:
                continue
            if complete:
                whole = True
                for i in range(n):
                    if not taken[i]:
                        whole = False
                if not whole:
                    continue
            c = ship_cost[t, billable_lb(weight)]
            if c == np.inf:
                continue
            gain = value - c - priced - (split if r > 0 else 0.0)
            if gain > best_gain + _EPS:
                best_gain = gain
                best_f = f
                best_take[:] = taken
        if best_f < 0:
            break
        node_used[best_f] = True
        total -= best_gain
        for i in range(n):
            if best_take[i]:
                open_line[i] = False
                assign[lines[i]] = best_f
    return total
