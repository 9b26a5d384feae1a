"""Brute-force references for the allocation solvers, written from contracts §3 alone.

Every assignment of an order's lines to a node or to "unfilled" is enumerated and checked against
each rule of the cost model: stock per (node, SKU) with kit components, capacity per node, the
carrier's weight limit, the shipment limit, ship-complete and disabled nodes. The batch reference
combines the orders' options by a dynamic program over the resources they use (cost is additive
over orders and they interact only through stock and capacity), so it is exact. Nothing here
calls the solvers' kernels: a bug there cannot hide here.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from solvers.instance import Instance


@dataclass(frozen=True)
class Options:
    """Assignments of one order's lines (``assign[option, line]``, node or -1) and what each
    costs and draws. ``feasible`` says whether the option obeys every rule on its own."""

    assign: np.ndarray  # int64 [option, line]
    cost: np.ndarray  # float64 [option], true cost (contracts §3); inf where no carrier can ship
    feasible: np.ndarray  # bool [option]
    stock: np.ndarray  # int64 [option, node, sku] units drawn
    capacity: np.ndarray  # int64 [option, node] units shipped


def _billable(weight: np.ndarray) -> np.ndarray:
    return np.maximum(1, np.ceil(weight - 1e-9)).astype(np.int64)


def evaluate(
    inst: Instance,
    order: int,
    assign: np.ndarray,
    available: np.ndarray,
    capacity: np.ndarray,
    enabled: np.ndarray,
) -> Options:
    """Cost, feasibility and usage of the rows of ``assign[option, line]`` for one order."""
    assign = np.atleast_2d(np.asarray(assign, np.int64))
    first, last = int(inst.line_ptr[order]), int(inst.line_ptr[order + 1])
    num_nodes, num_skus = inst.num_nodes, inst.num_skus
    # units[line, sku] each line draws (kit lines: every component, duplicates summed)
    units = np.zeros((last - first, num_skus), np.int64)
    for i in range(first, last):
        for c in range(inst.comp_ptr[i], inst.comp_ptr[i + 1]):
            units[i - first, inst.comp_sku[c]] += inst.comp_units[c]
    at = assign[:, :, None] == np.arange(num_nodes)[None, None, :]  # [option, line, node]
    used = at.any(axis=1)  # [option, node]
    weight = np.einsum("alf,l->af", at, inst.line_weight[first:last])
    billable = _billable(weight)
    table = inst.order_table[order]  # [node]
    max_b = inst.max_billable_lb
    carriable = (table[None, :] >= 0) & (billable <= max_b)
    ship = np.full(used.shape, np.inf)
    rows, nodes = np.nonzero(used & carriable)
    ship[rows, nodes] = inst.ship_cost[table[nodes], billable[rows, nodes]]
    ship = np.where(used, ship, 0.0)
    shipments = used.sum(axis=1)
    unfilled = assign < 0
    cost = (
        ship.sum(axis=1)
        + inst.split_penalty * np.maximum(shipments - 1, 0)
        + (unfilled * inst.line_backorder[first:last]).sum(axis=1)
    )
    stock = np.einsum("alf,ls->afs", at.astype(np.int64), units)
    cap_used = np.einsum("alf,l->af", at.astype(np.int64), inst.line_units[first:last])
    ok = np.isfinite(cost)
    ok &= (stock <= available[None, :, :]).all(axis=(1, 2))
    ok &= (cap_used <= capacity[None, :]).all(axis=1)
    ok &= ~(used & ~enabled[None, :]).any(axis=1)
    if inst.max_shipments > 0:
        ok &= shipments <= inst.max_shipments
    if inst.ship_complete[order]:
        ok &= unfilled.all(axis=1) | ((shipments == 1) & ~unfilled.any(axis=1))
    return Options(assign, cost, ok, stock, cap_used)


def order_options(
    inst: Instance,
    order: int,
    available: np.ndarray,
    capacity: np.ndarray,
    enabled: np.ndarray,
) -> Options:
    """Every feasible assignment of one order's lines, with its cost and usage."""
    n = int(inst.line_ptr[order + 1] - inst.line_ptr[order])
    every = np.array(list(itertools.product(range(-1, inst.num_nodes), repeat=n)), np.int64)
    options = evaluate(inst, order, every.reshape(len(every), n), available, capacity, enabled)
    keep = options.feasible
    return Options(
        options.assign[keep],
        options.cost[keep],
        options.feasible[keep],
        options.stock[keep],
        options.capacity[keep],
    )


def best_order(
    inst: Instance,
    order: int,
    available: np.ndarray,
    capacity: np.ndarray,
    enabled: np.ndarray,
    price: np.ndarray | None = None,
    cap_price: np.ndarray | None = None,
    cuts: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> float:
    """Minimum over feasible assignments of cost (+ priced stock and capacity when given, and
    the stock cuts' prices: ``cuts`` as the kernel takes them, see ``solvers.cuts``)."""
    options = order_options(inst, order, available, capacity, enabled)
    cost = options.cost.copy()
    if price is not None and cap_price is not None:
        cost += np.einsum("afs,fs->a", options.stock, price)
        cost += options.capacity @ cap_price
    if cuts is not None:
        ptr, div, cut_price = cuts
        cell_of_cut = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
        drawn = options.stock.reshape(len(cost), -1)[:, cell_of_cut]
        cost += (drawn // div) @ cut_price
    return float(cost.min())  # all-unfilled is always feasible


def best_batch(inst: Instance, enabled: np.ndarray) -> float:
    """Optimal total cost of a whole (tiny) batch: DP over orders, states = resources used."""
    finite = np.isfinite(inst.capacity)
    cap = np.where(finite, inst.capacity, 0).astype(np.int64)
    limit = np.concatenate([inst.available.reshape(-1), cap[finite]])
    state_use = np.zeros((1, len(limit)), np.int64)
    state_cost = np.zeros(1)
    for o in range(inst.num_orders):
        opts = order_options(inst, o, inst.available, inst.capacity, enabled)
        use = np.concatenate(
            [opts.stock.reshape(len(opts.cost), -1), opts.capacity[:, finite]], axis=1
        )
        new_use = (state_use[:, None, :] + use[None, :, :]).reshape(-1, len(limit))
        new_cost = (state_cost[:, None] + opts.cost[None, :]).reshape(-1)
        fits = (new_use <= limit).all(axis=1)
        new_use, new_cost = new_use[fits], new_cost[fits]
        by_cost = np.argsort(new_cost, kind="stable")
        state_use, first = np.unique(new_use[by_cost], axis=0, return_index=True)
        state_cost = new_cost[by_cost][first]
    return float(state_cost.min())


@dataclass(frozen=True)
class PlanCheck:
    """A whole plan's true cost and every rule it breaks (empty when feasible)."""

    cost: float
    violations: list[str]


def check_assign(inst: Instance, assign: np.ndarray, enabled: np.ndarray) -> PlanCheck:
    """Recompute a batch plan's cost and check every rule, per order and across orders."""
    total = 0.0
    violations: list[str] = []
    stock = np.zeros(inst.available.shape, np.int64)
    cap = np.zeros(inst.num_nodes, np.int64)
    for o in range(inst.num_orders):
        rows = assign[inst.line_ptr[o] : inst.line_ptr[o + 1]]
        got = evaluate(inst, o, rows[None, :], inst.available, inst.capacity, enabled)
        total += float(got.cost[0])
        stock += got.stock[0]
        cap += got.capacity[0]
        if not got.feasible[0]:
            violations.append(f"order {o}: {rows.tolist()} breaks a rule on its own")
    over = np.argwhere(stock > inst.available)
    violations += [f"stock over at (node, sku) {tuple(x)}" for x in over.tolist()]
    violations += [f"capacity over at node {f}" for f in np.flatnonzero(cap > inst.capacity)]
    return PlanCheck(total, violations)


def check_bound_and_gap(
    objective: float, bound: float | None, gap: float | None, status: str
) -> None:
    """A heuristic's result has no bound and no gap; a bounded one's bound is at most its cost,
    its gap is (cost - bound) / max(cost, 1e-9), and an optimal one's gap is closed."""
    if status == "feasible":
        assert bound is None and gap is None
        return
    assert bound is not None and gap is not None
    assert bound <= objective + 1e-6 * max(1.0, objective)
    expected = max(0.0, (objective - bound) / max(objective, 1e-9))
    assert abs(gap - expected) <= 1e-12
    if status == "optimal":
        assert gap <= 1e-6
