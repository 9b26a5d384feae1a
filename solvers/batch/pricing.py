"""The batch solver's compiled passes: priced subproblems, priced routing and price steps.

Every pass calls the exact single-order kernel (``solvers.order``) over many orders; with prices on
stock, capacity and stock cuts it gives the Lagrangian subproblems (and so the bound), without
them the plan's own re-routing. ``docs/allocation.md`` explains the method.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from solvers.cuts import NO_CUTS
from solvers.instance import Instance
from solvers.order import MAX_EXACT_LINES, solve_order_kernel
from solvers.plans import lines_fit, move_stock, order_cost_kernel


@nb.njit(cache=True)
def line_bound(
    o, line_ptr, order_table, line_backorder, line_units, comp_ptr, comp_sku, comp_units,
    avail, price, cap_price,
):  # fmt: skip
    """A valid lower bound for an order too long for the kernel: shipping costs are >= 0, so each
    line costs at least the cheaper of its backorder penalty and its cheapest priced units."""
    total = 0.0
    for i in range(line_ptr[o], line_ptr[o + 1]):
        best = line_backorder[i]
        for f in range(order_table.shape[1]):
            if order_table[o, f] < 0:
                continue
            if not lines_fit(i, i + 1, f, avail, comp_ptr, comp_sku, comp_units):
                continue
            c = line_units[i] * cap_price[f]
            for k in range(comp_ptr[i], comp_ptr[i + 1]):
                c += comp_units[k] * price[f, comp_sku[k]]
            if c < best:
                best = c
        total += best
    return total


@nb.njit(cache=True, parallel=True)
def priced_costs(
    orders, line_ptr, order_table, line_weight, line_backorder, ship_cost, split, line_units,
    comp_ptr, comp_sku, comp_units, assign, price, cap_price, out,
):  # fmt: skip
    """Each of ``orders``' true cost under ``assign`` plus the stock and capacity it draws at the
    prices, into ``out[order]``."""
    for j in nb.prange(len(orders)):
        o = orders[j]
        total = order_cost_kernel(
            o, line_ptr, order_table, line_weight, line_backorder, ship_cost, split, assign
        )  # fmt: skip
        for i in range(line_ptr[o], line_ptr[o + 1]):
            f = assign[i]
            if f < 0:
                continue
            total += line_units[i] * cap_price[f]
            for c in range(comp_ptr[i], comp_ptr[i + 1]):
                total += comp_units[c] * price[f, comp_sku[c]]
        out[o] = total


@nb.njit(cache=True, parallel=True)
def relaxed_pass(
    line_ptr, ship_complete, order_table, line_weight, line_backorder, line_units, comp_ptr,
    comp_sku, comp_units, avail, cap, ship_cost, split, max_ship, price, cap_price, cuts, assign,
    bound,
):  # fmt: skip
    """Every order against the full stock with priced units and cuts: the Lagrangian
    subproblems."""
    num_orders = len(line_ptr) - 1
    for o in nb.prange(num_orders):
        if line_ptr[o + 1] - line_ptr[o] > MAX_EXACT_LINES:
            bound[o] = line_bound(
                o, line_ptr, order_table, line_backorder, line_units, comp_ptr, comp_sku,
                comp_units, avail, price, cap_price,
            )  # fmt: skip
            # the kernel's plan for such an order is a heuristic's: bound it line by line
            solve_order_kernel(
                o, line_ptr, ship_complete, order_table, line_weight, line_backorder, line_units,
                comp_ptr, comp_sku, comp_units, avail, cap, ship_cost, split, max_ship, price,
                cap_price, cuts, True, assign,
            )  # fmt: skip
        else:
            bound[o] = solve_order_kernel(
                o, line_ptr, ship_complete, order_table, line_weight, line_backorder, line_units,
                comp_ptr, comp_sku, comp_units, avail, cap, ship_cost, split, max_ship, price,
                cap_price, cuts, True, assign,
            )  # fmt: skip


@nb.njit(cache=True)
def route_in_sequence(
    sequence, line_ptr, ship_complete, order_table, line_weight, line_backorder, line_units,
    comp_ptr, comp_sku, comp_units, avail, cap, ship_cost, split, max_ship, price, cap_price,
    cuts, use_prices, release_first, assign,
):  # fmt: skip
    """Route orders one after another against the stock and capacity left (``avail``/``cap`` are
    consumed in place). With ``release_first`` each order first gives back what it holds: one
    pass of exact coordinate descent. Returns how many orders got cheaper."""
    improved = 0
    for o in sequence:
        old = 0.0
        if release_first:
            old = order_cost_kernel(
                o, line_ptr, order_table, line_weight, line_backorder, ship_cost, split, assign
            )  # fmt: skip
            move_stock(
                o, line_ptr, line_units, comp_ptr, comp_sku, comp_units, assign, avail, cap, 1
            )
        solve_order_kernel(
            o, line_ptr, ship_complete, order_table, line_weight, line_backorder, line_units,
            comp_ptr, comp_sku, comp_units, avail, cap, ship_cost, split, max_ship, price,
            cap_price, cuts, use_prices, assign,
        )  # fmt: skip
        move_stock(o, line_ptr, line_units, comp_ptr, comp_sku, comp_units, assign, avail, cap, -1)
        if release_first:
            new = order_cost_kernel(
                o, line_ptr, order_table, line_weight, line_backorder, ship_cost, split, assign
            )  # fmt: skip
            if new < old - 1e-9:
                improved += 1
    return improved


@nb.njit(cache=True)
def _step_sign(excess, finite, price):
    """Which way a price moves on its resource's excess demand: none for an unlimited resource,
    nor for one priced 0 whose demand is below supply (prices stay >= 0)."""
    if not finite or excess == 0 or (excess < 0 and price <= 0):
        return 0
    return 1 if excess > 0 else -1


@nb.njit(cache=True)
def any_step(usage, supply, finite, prices):
    """Whether any price would move on the subgradient ``usage - supply``."""
    for r in range(len(prices)):
        if _step_sign(usage[r] - supply[r], finite[r], prices[r]) != 0:
            return True
    return False


@nb.njit(cache=True)
def sign_step(usage, supply, finite, prices, rate, last_sign, max_rate):
    """Per-resource sign steps on the subgradient ``usage - supply`` (RPROP, Riedmiller & Braun
    1993): each price moves by its own rate, which grows while its excess demand keeps its sign
    and halves when it flips, so every resource's price settles at its own pace."""
    for r in range(len(prices)):
        sign = _step_sign(usage[r] - supply[r], finite[r], prices[r])
        turn = sign * last_sign[r]
        if turn > 0:
            rate[r] *= 1.2
        elif turn < 0:
            rate[r] *= 0.5
        rate[r] = min(max(rate[r], 1e-4), max_rate)
        prices[r] = max(prices[r] + rate[r] * sign, 0.0)
        last_sign[r] = 0 if turn < 0 else sign


def initial_prices(inst: Instance) -> np.ndarray:
    """Start stock prices where demand outruns supply: a SKU short across the network is worth
    about half the penalty of the line it would otherwise leave unfilled, wherever it is held."""
    demand = np.bincount(inst.comp_sku, weights=inst.comp_units, minlength=inst.num_skus)
    supply = inst.available.sum(axis=0)
    line_of_comp = np.repeat(np.arange(inst.num_lines), np.diff(inst.comp_ptr))
    per_unit = inst.line_backorder[line_of_comp] / np.maximum(inst.line_units[line_of_comp], 1)
    penalty_sum = np.bincount(
        inst.comp_sku, weights=per_unit * inst.comp_units, minlength=inst.num_skus
    )
    penalty = penalty_sum / np.maximum(demand, 1)
    short = demand > supply
    price = np.zeros(inst.available.shape)
    price[:, short] = 0.5 * penalty[short]
    price[inst.available <= 0] = 0.0
    return price


def lagrangian_bound(inst: Instance, price: np.ndarray, cap_price: np.ndarray) -> float:
    """The Lagrangian bound of ``inst`` at stock prices ``price[node, sku]`` and capacity prices
    ``cap_price[node]`` (>= 0; no cut prices): a proven lower bound on its optimum for any such
    prices, however they were found (e.g. on another instance with other stock)."""
    price = np.ascontiguousarray(np.maximum(price, 0.0), np.float64)
    finite = np.isfinite(inst.capacity)
    cap_price = np.where(finite, np.maximum(cap_price, 0.0), 0.0).astype(np.float64)
    assign = np.full(inst.num_lines, -1, np.int64)
    per_order = np.zeros(inst.num_orders)
    relaxed_pass(
        inst.line_ptr, inst.ship_complete, inst.order_table, inst.line_weight,
        inst.line_backorder, inst.line_units, inst.comp_ptr, inst.comp_sku, inst.comp_units,
        inst.available, inst.capacity, inst.ship_cost, inst.split_penalty, inst.max_shipments,
        price, cap_price, NO_CUTS, assign, per_order,
    )  # fmt: skip
    supply = (price * inst.available).sum() + (cap_price * np.where(finite, inst.capacity, 0)).sum()
    return float(per_order.sum() - supply)
