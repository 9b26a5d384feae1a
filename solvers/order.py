"""Exact single-order sourcing: the minimum-cost plan for one order (the kernel).

An order of n lines is split into shipments, one per node used, each line shipped whole or left
unfilled (contracts §3). The kernel enumerates, per node, every subset of lines that node could ship
(stock, capacity and the carrier's weight limit checked on the subset), then runs a 0/1 dynamic
program over nodes: ``G[k][S]`` = cheapest way to settle the line set S with exactly k shipments
from the nodes seen so far, the rest unfilled. Each node adds at most one shipment (k counts down
as in 0/1 knapsack), so lines at the same node always form one shipment. The work is
O(nodes * k * 3^n), trivial for the one- and two-line orders that dominate real demand and exact
for every order up to ``MAX_EXACT_LINES`` lines.

Prices per unit of stock ``price[node, sku]`` and of capacity ``cap_price[node]`` may be added to
the cost: the batch solver (``solvers.batch``) uses them as Lagrange multipliers, so the same kernel
gives both its lower bound and its repairs. Compiled with numba; no Python objects in the loops.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from solvers.cover import cover_large_order
from solvers.cuts import NO_CUTS, cut_cost
from solvers.instance import Instance
from solvers.plans import billable_lb, lines_fit

MAX_EXACT_LINES = 12
_INF = np.inf
_EPS = 1e-9


@nb.njit(cache=True)
def _solve_one_line(
    o, li, order_table, line_weight, line_backorder, line_units, comp_ptr, comp_sku,
    comp_units, avail, cap, ship_cost, price, cap_price, cuts, use_prices, assign,
):  # fmt: skip
    """The one-line order (most of real demand): its cheapest node, or unfilled."""
    max_b = ship_cost.shape[1] - 1
    b = billable_lb(line_weight[li])
    best = line_backorder[li]
    best_f = -1
    if b <= max_b:
        for f in range(order_table.shape[1]):
            t = order_table[o, f]
            if t < 0 or line_units[li] > cap[f]:
                continue
            c = ship_cost[t, b]
            if c >= best or not lines_fit(li, li + 1, f, avail, comp_ptr, comp_sku, comp_units):
                continue
            if use_prices:
                c += line_units[li] * cap_price[f]
                for k in range(comp_ptr[li], comp_ptr[li + 1]):
                    c += comp_units[k] * price[f, comp_sku[k]]
                    c += cut_cost(
                        f * price.shape[1] + comp_sku[k], comp_units[k], cuts[0], cuts[1], cuts[2]
                    )  # fmt: skip
            if c < best - _EPS:
                best = c
                best_f = f
    assign[li] = best_f
    return best


@nb.njit(cache=True)
def _best_count(by_count, split):
    """The cheapest settlement of all lines over the number of shipments k (``by_count[k]``, the
    split penalty ``split * (k - 1)`` added): (cost, k); the fewest shipments among ties."""
    best = by_count[0]
    best_k = 0
    for k in range(1, len(by_count)):
        v = by_count[k] + split * (k - 1)
        if v < best - _EPS:
            best = v
            best_k = k
    return best, best_k


@nb.njit(cache=True)
def _subset_fits(mask, f, tu, su, skus, avail, cap):
    """Whether node ``f`` has the capacity and stock for the line subset ``mask``
    (``tu[mask]`` units in all, ``su[mask, j]`` of the order's SKU ``skus[j]``)."""
    if tu[mask] > cap[f]:
        return False
    for j in range(su.shape[1]):  # noqa: SIM110 (numba: no generators)
        if su[mask, j] > avail[f, skus[j]]:
            return False
    return True


@nb.njit(cache=True)
def solve_order_kernel(
    o, line_ptr, ship_complete, order_table, line_weight, line_backorder, line_units,
    comp_ptr, comp_sku, comp_units, avail, cap, ship_cost, split, max_ship,
    price, cap_price, cuts, use_prices, assign,
):  # fmt: skip
    """Exact minimum (priced) cost of order ``o``; writes each line's node (or -1) to ``assign``.
    ``cuts`` (``solvers.cuts``: the cells' cut lists, divisors and prices) are charged with the
    prices."""
    first = line_ptr[o]
    n_all = line_ptr[o + 1] - first
    if n_all == 0:
        return 0.0
    num_nodes = order_table.shape[1]
    max_b = ship_cost.shape[1] - 1
    if n_all == 1:
        return _solve_one_line(
            o, first, order_table, line_weight, line_backorder, line_units, comp_ptr, comp_sku,
            comp_units, avail, cap, ship_cost, price, cap_price, cuts, use_prices, assign,
        )  # fmt: skip
    # A line no node could ship even alone is unfilled in every plan (more lines only weigh and
    # draw more): settle it now and enumerate the others, the live lines.
    live = np.empty(n_all, np.int64)
    n = 0
    dead_cost = 0.0
    for i in range(n_all):
        li = first + i
        assign[li] = -1
        b = billable_lb(line_weight[li])
        alive = False
        for f in range(num_nodes):
            t = order_table[o, f]
            if t < 0 or b > max_b or ship_cost[t, b] == _INF or line_units[li] > cap[f]:
                continue
            if lines_fit(li, li + 1, f, avail, comp_ptr, comp_sku, comp_units):
                alive = True
                break
        if alive:
            live[n] = li
            n += 1
        else:
            dead_cost += line_backorder[li]
    if n == 0 or (ship_complete[o] and n < n_all):
        total = 0.0
        for i in range(n_all):
            total += line_backorder[first + i]
        return total
    if n > MAX_EXACT_LINES:
        return dead_cost + cover_large_order(
            o, live[:n], order_table, line_weight, line_backorder, line_units, comp_ptr,
            comp_sku, comp_units, avail, cap, ship_cost, split, max_ship, ship_complete[o],
            price, cap_price, use_prices, assign,
        )  # fmt: skip
    # the distinct SKUs the live lines draw, and units[line, j] of each
    skus = np.empty(comp_ptr[first + n_all] - comp_ptr[first], np.int64)
    m = 0
    for i in range(n):
        for c in range(comp_ptr[live[i]], comp_ptr[live[i] + 1]):
            s = comp_sku[c]
            found = False
            for j in range(m):
                if skus[j] == s:
                    found = True
                    break
            if not found:
                skus[m] = s
                m += 1
    units = np.zeros((n, m), np.int64)
    for i in range(n):
        for c in range(comp_ptr[live[i]], comp_ptr[live[i] + 1]):
            for j in range(m):
                if skus[j] == comp_sku[c]:
                    units[i, j] += comp_units[c]
    # per subset of lines: weight, units per SKU, capacity units, backorder cost
    num_sub = 1 << n
    full = num_sub - 1
    w = np.zeros(num_sub)
    su = np.zeros((num_sub, m), np.int64)
    tu = np.zeros(num_sub, np.int64)
    bo = np.zeros(num_sub)
    for mask in range(1, num_sub):
        low = mask & (-mask)
        i = 0
        while (1 << i) != low:
            i += 1
        prev = mask ^ low
        w[mask] = w[prev] + line_weight[live[i]]
        tu[mask] = tu[prev] + line_units[live[i]]
        bo[mask] = bo[prev] + line_backorder[live[i]]
        for j in range(m):
            su[mask, j] = su[prev, j] + units[i, j]
    k_max = n
    if max_ship > 0 and max_ship < k_max:
        k_max = max_ship
    if ship_complete[o]:
        k_max = 1
    # block[f, T]: cost of node f shipping exactly the lines in T as one package
    block = np.full((num_nodes, num_sub), _INF)
    cmin = np.full(num_sub, _INF)
    cnode = np.full(num_sub, -1, np.int64)
    for f in range(num_nodes):
        t = order_table[o, f]
        if t < 0:
            continue
        # only subsets of the lines this node could ship alone can be feasible here
        alone = 0
        for i in range(n):
            if _subset_fits(1 << i, f, tu, su, skus, avail, cap):
                alone |= 1 << i
        if ship_complete[o] and alone != full:
            continue
        mask = alone
        while mask > 0:
            cur = mask
            mask = (mask - 1) & alone
            if ship_complete[o] and cur != full:
                continue
            if not _subset_fits(cur, f, tu, su, skus, avail, cap):
                continue
            b = billable_lb(w[cur])
            if b > max_b:
                continue
            c = ship_cost[t, b]
            if c == _INF:
                continue
            if use_prices:
                c += tu[cur] * cap_price[f]
                for j in range(m):
                    c += su[cur, j] * price[f, skus[j]]
                    c += cut_cost(
                        f * price.shape[1] + skus[j], su[cur, j], cuts[0], cuts[1], cuts[2]
                    )  # fmt: skip
            block[f, cur] = c
            if c < cmin[cur]:
                cmin[cur] = c
                cnode[cur] = f
    # Fast path: partition the lines into blocks, each at its cheapest node, by the canonical
    # subset DP (the block holding the lowest line first). It relaxes "one shipment per node",
    # so when its best partition uses distinct nodes it is optimal; otherwise the exact DP over
    # nodes below decides.
    h = np.full((k_max + 1, num_sub), _INF)
    pick2 = np.zeros((k_max + 1, num_sub), np.int32)
    for mask in range(num_sub):
        h[0, mask] = bo[mask]
    for s_mask in range(1, num_sub):
        low = s_mask & (-s_mask)
        rest_all = s_mask ^ low
        for k in range(1, k_max + 1):
            best = bo[low] + h[k, rest_all]
            pick = 0
            sub = rest_all
            while True:
                blk = sub | low
                c = cmin[blk]
                if c < _INF:
                    v = c + h[k - 1, s_mask ^ blk]
                    if v < best - _EPS:
                        best = v
                        pick = blk
                if sub == 0:
                    break
                sub = (sub - 1) & rest_all
            h[k, s_mask] = best
            pick2[k, s_mask] = pick
    best, best_k = _best_count(h[:, full], split)
    used = np.zeros(num_nodes, np.bool_)
    distinct = True
    k = best_k
    s_mask = full
    while s_mask != 0 and k > 0:
        pick = pick2[k, s_mask]
        if pick == 0:
            s_mask ^= s_mask & (-s_mask)
            continue
        f = cnode[pick]
        if used[f]:
            distinct = False
            break
        used[f] = True
        for i in range(n):
            if pick & (1 << i):
                assign[live[i]] = f
        k -= 1
        s_mask ^= pick
    if distinct:
        return best + dead_cost
    for i in range(n):
        assign[live[i]] = -1
    # Only the k_max cheapest nodes of a block can matter: the other blocks use at most
    # k_max - 1 nodes, so one of those k_max is always free and no dearer.
    useful = np.zeros((num_nodes, num_sub), np.bool_)
    top = np.empty(k_max, np.int64)
    for mask in range(1, num_sub):
        num_top = 0
        for f in range(num_nodes):
            c = block[f, mask]
            if c == _INF:
                continue
            if num_top < k_max:
                pos = num_top
                num_top += 1
            elif c < block[top[num_top - 1], mask]:
                pos = num_top - 1
            else:
                continue
            while pos > 0 and block[top[pos - 1], mask] > c:
                top[pos] = top[pos - 1]
                pos -= 1
            top[pos] = f
        for r in range(num_top):
            useful[top[r], mask] = True
    if n == 1:
        best = bo[1]
        best_f = -1
        for f in range(num_nodes):
            if useful[f, 1] and block[f, 1] < best - _EPS:
                best = block[f, 1]
                best_f = f
        assign[live[0]] = best_f
        return best + dead_cost
    g = np.full((k_max + 1, num_sub), _INF)
    for mask in range(num_sub):
        g[0, mask] = bo[mask]
    steps = np.empty(num_nodes, np.int64)
    chosen = np.zeros((num_nodes, k_max + 1, num_sub), np.int32)
    num_steps = 0
    for f in range(num_nodes):
        any_useful = False
        for mask in range(1, num_sub):
            if useful[f, mask]:
                any_useful = True
                break
        if not any_useful:
            continue
        step = num_steps
        steps[step] = f
        num_steps += 1
        for k in range(k_max, 0, -1):
            for blk in range(1, num_sub):
                if not useful[f, blk]:
                    continue
                c = block[f, blk]
                rest_all = full ^ blk
                rest = rest_all
                while True:
                    v = c + g[k - 1, rest]
                    s_mask = rest | blk
                    if v < g[k, s_mask] - _EPS:
                        g[k, s_mask] = v
                        chosen[step, k, s_mask] = blk
                    if rest == 0:
                        break
                    rest = (rest - 1) & rest_all
    best, best_k = _best_count(g[:, full], split)
    k = best_k
    s_mask = full
    for step in range(num_steps - 1, -1, -1):
        if k == 0:
            break
        pick = chosen[step, k, s_mask]
        if pick != 0:
            for i in range(n):
                if pick & (1 << i):
                    assign[live[i]] = steps[step]
            k -= 1
            s_mask ^= pick
    return best + dead_cost


def _args(inst: Instance) -> tuple:
    return (
        inst.line_ptr, inst.ship_complete, inst.order_table, inst.line_weight,
        inst.line_backorder, inst.line_units, inst.comp_ptr, inst.comp_sku, inst.comp_units,
    )  # fmt: skip


def solve_order(
    inst: Instance,
    order: int,
    available: np.ndarray | None = None,
    capacity: np.ndarray | None = None,
    price: np.ndarray | None = None,
    cap_price: np.ndarray | None = None,
    cuts: tuple[np.ndarray, np.ndarray, np.ndarray] = NO_CUTS,
) -> tuple[float, np.ndarray]:
    """Cheapest plan of one order: (cost, node per line or -1). Exact whenever at most
    ``MAX_EXACT_LINES`` of its lines can ship at all; a greedy cover beyond that.

    ``available[node, sku]`` and ``capacity[node]`` default to the instance's; with ``price`` and
    ``cap_price`` the cost includes those per-unit prices, and the stock cuts' prices in ``cuts``
    (``solvers.cuts``: cell lists, divisors, prices).
    """
    assign = np.full(inst.num_lines, -1, np.int64)
    use_prices = price is not None
    cost = solve_order_kernel(
        order, *_args(inst),
        inst.available if available is None else available,
        inst.capacity if capacity is None else capacity,
        inst.ship_cost, inst.split_penalty, inst.max_shipments,
        price if price is not None else np.zeros((1, 1)),
        cap_price if cap_price is not None else np.zeros(1),
        cuts, use_prices, assign,
    )  # fmt: skip
    first, last = inst.line_ptr[order], inst.line_ptr[order + 1]
    return float(cost), assign[first:last]
