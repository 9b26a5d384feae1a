"""The greedy router that rule-based systems use: the peer every other method is measured against.

Orders are taken in arrival order. Each goes whole to the cheapest single node that holds all of it
(stock and capacity left); failing that, each line goes to the cheapest node that has its stock
left, priced as if it shipped alone, up to the order's shipment limit (a ship-complete order that
no single node can fill stays unfilled). This is the "ranked locations, minimise splits, closest
location" chain of Shopify-style order routing rules (background.md).
"""

from __future__ import annotations

import time

import numba as nb
import numpy as np

from solvers.instance import Instance
from solvers.plans import billable_lb, lines_fit, move_stock, plan_costs
from solvers.result import Result, Status


@nb.njit(cache=True)
def _greedy(
    line_ptr, ship_complete, order_table, line_weight, line_units, comp_ptr, comp_sku,
    comp_units, avail, cap, ship_cost, max_ship, assign,
):  # fmt: skip
    num_orders = len(line_ptr) - 1
    num_nodes = order_table.shape[1]
    max_b = ship_cost.shape[1] - 1
    for o in range(num_orders):
        first, last = line_ptr[o], line_ptr[o + 1]
        weight = 0.0
        for i in range(first, last):
            weight += line_weight[i]
        b = billable_lb(weight)
        best_f, best_c = -1, np.inf
        for f in range(num_nodes):
            t = order_table[o, f]
            if t < 0 or b > max_b or ship_cost[t, b] >= best_c:
                continue
            # the whole order at f: joint stock per SKU and capacity
            units = 0
            for i in range(first, last):
                units += line_units[i]
            if units <= cap[f] and lines_fit(first, last, f, avail, comp_ptr, comp_sku, comp_units):
                best_f, best_c = f, ship_cost[t, b]
        if best_f >= 0:
            for i in range(first, last):
                assign[i] = best_f
        elif not ship_complete[o]:
            used = 0
            for i in range(first, last):
                lb = billable_lb(line_weight[i])
                line_f, line_c = -1, np.inf
                for f in range(num_nodes):
                    t = order_table[o, f]
                    if t < 0 or lb > max_b or ship_cost[t, lb] >= line_c:
                        continue
                    new_node = True
                    for i2 in range(first, i):
                        if assign[i2] == f:
                            new_node = False
                    if new_node and max_ship > 0 and used >= max_ship:
                        continue
                    fits = line_units[i] <= cap[f] and lines_fit(
                        i, i + 1, f, avail, comp_ptr, comp_sku, comp_units
                    )
                    if fits:
                        line_f, line_c = f, ship_cost[t, lb]
                if line_f < 0:
                    continue
                new_node = True
                for i2 in range(first, i):
                    if assign[i2] == line_f:
                        new_node = False
                # a merged shipment must still be carriable
                merged = line_weight[i]
                for i2 in range(first, i):
                    if assign[i2] == line_f:
                        merged += line_weight[i2]
                if (
                    billable_lb(merged) > max_b
                    or ship_cost[order_table[o, line_f], billable_lb(merged)] == np.inf
                ):
                    continue
                assign[i] = line_f
                if new_node:
                    used += 1
                cap[line_f] -= line_units[i]
                for c in range(comp_ptr[i], comp_ptr[i + 1]):
                    avail[line_f, comp_sku[c]] -= comp_units[c]
            # stock of the line-by-line path was taken as it went
            continue
        move_stock(o, line_ptr, line_units, comp_ptr, comp_sku, comp_units, assign, avail, cap, -1)


def greedy(inst: Instance) -> Result:
    """The greedy baseline plan (no lower bound)."""
    start = time.perf_counter()
    assign = np.full(inst.num_lines, -1, np.int64)
    _greedy(
        inst.line_ptr, inst.ship_complete, inst.order_table, inst.line_weight, inst.line_units,
        inst.comp_ptr, inst.comp_sku, inst.comp_units, inst.available.copy(),
        inst.capacity.copy(), inst.ship_cost, inst.max_shipments, assign,
    )  # fmt: skip
    return Result(
        method="greedy",
        status=Status.FEASIBLE,
        assign=assign,
        objective=float(plan_costs(inst, assign).sum()),
        bound=None,
        runtime=time.perf_counter() - start,
    )
