"""Batch allocation with shared stock and capacity: Lagrangian relaxation, repair, local search.

The batch problem is one small set-partition problem per order (which lines ship from which node)
coupled only by stock per (node, SKU) and capacity per node. Pricing those couplings with
multipliers ``price[node, sku] >= 0`` and ``cap_price[node] >= 0`` splits it into independent
single-order problems, each solved exactly by the kernel (``solvers.order``), so

    L(price, cap_price) = sum_o min_o(cost + priced usage) - price . available - cap_price . capacity

is a proven lower bound on the optimum for any non-negative prices (Lagrangian relaxation; the
per-order local limits stay in the subproblem, so the bound is at least the LP bound of the
whole-order set-partition model). Prices follow projected subgradient steps with Polyak's step
size towards the best known plan (Held, Wolfe & Crowder 1974; Fisher 1981, Mgmt Sci 27(1)).

Plans come from the same prices (Acimovic & Graves 2015 use LP duals the same way): orders are
routed one after another against the stock left, each by the kernel with the prices as opportunity
costs, then improved by re-routing each order exactly against everything else (coordinate descent,
after Xu, Allgor & Graves 2009), and finally the whole-order plans seen along the way are combined
by a restricted master MIP over those columns (price-and-branch), when it is small enough.
Stops at the time limit or once the gap is closed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numba as nb
import numpy as np

from solvers.instance import Instance, csr_gather
from solvers.mip import solve_milp
from solvers.order import MAX_EXACT_LINES, _order_cost, _solve_order, _take, plan_costs, plan_usage
from solvers.result import Result, Status

Progress = Callable[[float, str], None]
_SNAPSHOT_BUDGET = 40_000_000  # line entries kept for the master (int16: 80 MB)
_PROVEN = 1e-7  # relative gap below which a plan counts as proven optimal


@dataclass(frozen=True)
class BatchParams:
    """Knobs of the batch solver; each is checked on construction."""

    max_iterations: int = 400
    step: float = 1.0  # Polyak step scale, halved when the bound stalls
    patience: int = 6  # iterations without a better bound before halving the step
    min_step: float = 1e-4
    repair_every: int = 10
    improve_passes: int = 4
    master: bool = True  # combine the plans seen with a restricted master MIP
    master_max_columns: int = 300_000
    gap_tolerance: float = 1e-5

    def __post_init__(self) -> None:
        for name in ("max_iterations", "patience", "repair_every", "improve_passes"):
            if getattr(self, name) < 1:
                raise ValueError(f"BatchParams.{name} must be >= 1, got {getattr(self, name)}")
        if not 0 < self.step <= 2:
            raise ValueError(f"BatchParams.step must be in (0, 2], got {self.step}")
        if not 0 <= self.gap_tolerance < 1:
            raise ValueError(f"BatchParams.gap_tolerance must be in [0, 1), got {self.gap_tolerance}")


@nb.njit(cache=True)
def _single_node(
    o, line_ptr, order_table, line_weight, line_backorder, line_units, comp_ptr, comp_sku,
    comp_units, avail, cap, ship_cost, price, cap_price, use_prices, assign,
):  # fmt: skip
    """Orders too long for the exact kernel: the best one node shipping everything, else none."""
    first, last = line_ptr[o], line_ptr[o + 1]
    max_b = ship_cost.shape[1] - 1
    weight = 0.0
    units = 0
    backorder = 0.0
    for i in range(first, last):
        weight += line_weight[i]
        units += line_units[i]
        backorder += line_backorder[i]
    best = backorder
    best_f = -1
    b = max(1, int(np.ceil(weight - 1e-9)))
    for f in range(order_table.shape[1]):
        t = order_table[o, f]
        if t < 0 or b > max_b or units > cap[f]:
            continue
        c = ship_cost[t, b]
        if use_prices:
            c += units * cap_price[f]
        ok = True
        for i in range(first, last):
            for k in range(comp_ptr[i], comp_ptr[i + 1]):
                need = 0
                for i2 in range(first, last):
                    for k2 in range(comp_ptr[i2], comp_ptr[i2 + 1]):
                        if comp_sku[k2] == comp_sku[k]:
                            need += comp_units[k2]
                if need > avail[f, comp_sku[k]]:
                    ok = False
                if use_prices:
                    c += comp_units[k] * price[f, comp_sku[k]]
        if ok and c < best:
            best = c
            best_f = f
    for i in range(first, last):
        assign[i] = best_f
    return best


@nb.njit(cache=True)
def _line_bound(
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
            c = line_units[i] * cap_price[f]
            ok = True
            for k in range(comp_ptr[i], comp_ptr[i + 1]):
                if comp_units[k] > avail[f, comp_sku[k]]:
                    ok = False
                c += comp_units[k] * price[f, comp_sku[k]]
            if ok and c < best:
                best = c
        total += best
    return total


@nb.njit(cache=True, parallel=True)
def _relaxed(
    line_ptr, ship_complete, order_table, line_weight, line_backorder, line_units, comp_ptr,
    comp_sku, comp_units, avail, cap, ship_cost, split, max_ship, price, cap_price, assign, bound,
):  # fmt: skip
    """Every order against the full stock with priced units: the Lagrangian subproblems."""
    num_orders = len(line_ptr) - 1
    for o in nb.prange(num_orders):
        if line_ptr[o + 1] - line_ptr[o] > MAX_EXACT_LINES:
            bound[o] = _line_bound(
                o, line_ptr, order_table, line_backorder, line_units, comp_ptr, comp_sku,
                comp_units, avail, price, cap_price,
            )  # fmt: skip
            _single_node(
                o, line_ptr, order_table, line_weight, line_backorder, line_units, comp_ptr,
                comp_sku, comp_units, avail, cap, ship_cost, price, cap_price, True, assign,
            )  # fmt: skip
        else:
            bound[o] = _solve_order(
                o, line_ptr, ship_complete, order_table, line_weight, line_backorder, line_units,
                comp_ptr, comp_sku, comp_units, avail, cap, ship_cost, split, max_ship, price,
                cap_price, True, assign,
            )  # fmt: skip


@nb.njit(cache=True)
def _route_in_sequence(
    sequence, line_ptr, ship_complete, order_table, line_weight, line_backorder, line_units,
    comp_ptr, comp_sku, comp_units, avail, cap, ship_cost, split, max_ship, price, cap_price,
    use_prices, release_first, assign,
):  # fmt: skip
    """Route orders one after another against the stock and capacity left (``avail``/``cap`` are
    consumed in place). With ``release_first`` each order first gives back what it holds: one
    pass of exact coordinate descent. Returns how many orders got cheaper."""
    improved = 0
    for o in sequence:
        old = 0.0
        if release_first:
            old = _order_cost(
                o, line_ptr, order_table, line_weight, line_backorder, ship_cost, split, assign, 0
            )  # fmt: skip
            _take(o, line_ptr, line_units, comp_ptr, comp_sku, comp_units, assign, avail, cap, 1)
        if line_ptr[o + 1] - line_ptr[o] > MAX_EXACT_LINES:
            _single_node(
                o, line_ptr, order_table, line_weight, line_backorder, line_units, comp_ptr,
                comp_sku, comp_units, avail, cap, ship_cost, price, cap_price, use_prices, assign,
            )  # fmt: skip
        else:
            _solve_order(
                o, line_ptr, ship_complete, order_table, line_weight, line_backorder, line_units,
                comp_ptr, comp_sku, comp_units, avail, cap, ship_cost, split, max_ship, price,
                cap_price, use_prices, assign,
            )  # fmt: skip
        _take(o, line_ptr, line_units, comp_ptr, comp_sku, comp_units, assign, avail, cap, -1)
        if release_first:
            new = _order_cost(
                o, line_ptr, order_table, line_weight, line_backorder, ship_cost, split, assign, 0
            )  # fmt: skip
            if new < old - 1e-9:
                improved += 1
    return improved


class _Search:
    """State of one batch solve: prices, the best plan and bound, and the plans seen."""

    def __init__(self, inst: Instance, params: BatchParams, deadline: float) -> None:
        self.inst = inst
        self.params = params
        self.deadline = deadline
        self.price = np.zeros(inst.available.shape)
        self.cap_price = np.zeros(inst.num_nodes)
        self.finite_cap = np.isfinite(inst.capacity)
        self.best_assign = np.full(inst.num_lines, -1, np.int64)
        self.best_cost = float(inst.line_backorder.sum())
        self.bound = -np.inf
        self.snapshots: list[np.ndarray] = []  # plans seen, int16 [line], for the master
        self.iterations = 0
        self.repairs = 0

    def _args(self) -> tuple:
        i = self.inst
        return (
            i.line_ptr, i.ship_complete, i.order_table, i.line_weight, i.line_backorder,
            i.line_units, i.comp_ptr, i.comp_sku, i.comp_units,
        )  # fmt: skip

    def relaxed(self) -> tuple[float, np.ndarray]:
        """Lagrangian bound at the current prices and the relaxed plan."""
        inst = self.inst
        assign = np.full(inst.num_lines, -1, np.int64)
        per_order = np.zeros(inst.num_orders)
        _relaxed(
            *self._args(), inst.available, inst.capacity, inst.ship_cost, inst.split_penalty,
            inst.max_shipments, self.price, self.cap_price, assign, per_order,
        )  # fmt: skip
        cap_term = float(self.cap_price[self.finite_cap] @ inst.capacity[self.finite_cap])
        bound = float(per_order.sum()) - float(np.sum(self.price * inst.available)) - cap_term
        return bound, assign

    def route(self, sequence: np.ndarray, prices: bool, assign: np.ndarray | None = None) -> np.ndarray:
        """Route ``sequence`` against the stock left by ``assign`` (or all stock), improving it."""
        inst = self.inst
        if assign is None:
            assign = np.full(inst.num_lines, -1, np.int64)
            avail = inst.available.copy()
            cap = inst.capacity.copy()
            release = False
        else:
            assign = assign.copy()
            used, used_cap = plan_usage(inst, assign)
            avail = inst.available - used
            cap = inst.capacity - used_cap
            release = True
        _route_in_sequence(
            sequence, *self._args(), avail, cap, inst.ship_cost, inst.split_penalty,
            inst.max_shipments, self.price, self.cap_price, prices, release, assign,
        )  # fmt: skip
        return assign

    def improve(self, assign: np.ndarray) -> np.ndarray:
        """Exact coordinate descent: re-route every order against all the others until stable."""
        inst = self.inst
        for _ in range(self.params.improve_passes):
            before = plan_costs(self.inst, assign).sum()
            order = np.argsort(-plan_costs(inst, assign), kind="stable")
            assign = self.route(order, prices=False, assign=assign)
            if plan_costs(inst, assign).sum() >= before - 1e-9 or time.perf_counter() > self.deadline:
                break
        return assign

    def remember(self, assign: np.ndarray) -> None:
        """Keep a plan's whole-order choices as columns for the master (within a memory budget)."""
        if self.params.master and len(self.snapshots) * self.inst.num_lines < _SNAPSHOT_BUDGET:
            self.snapshots.append(assign.astype(np.int16))

    def offer(self, assign: np.ndarray) -> None:
        """Keep ``assign`` if it is the best plan so far, and remember it as columns."""
        self.remember(assign)
        cost = float(plan_costs(self.inst, assign).sum())
        if cost < self.best_cost - 1e-9:
            self.best_cost = cost
            self.best_assign = assign

    def repair(self, relaxed_assign: np.ndarray) -> None:
        """A plan from the current prices: priced sequential routing, then exact improvement.

        Orders whose relaxed choice costs the most against the cheapest possible go first, so the
        orders with most to lose claim contested stock before the flexible ones."""
        inst = self.inst
        priced = plan_costs(inst, relaxed_assign)
        sequence = np.argsort(-priced, kind="stable")
        assign = self.route(sequence, prices=True)
        self.offer(self.improve(assign))
        self.repairs += 1

    def gap(self) -> float:
        return (self.best_cost - self.bound) / max(self.best_cost, 1e-9)

    def step(self, relaxed_assign: np.ndarray, bound: float, theta: float) -> bool:
        """One projected subgradient step; False when the relaxed plan needs no correction."""
        inst = self.inst
        used, used_cap = plan_usage(inst, relaxed_assign)
        g = (used - inst.available).astype(np.float64)
        g[(self.price <= 0) & (g < 0)] = 0.0
        g_cap = np.where(self.finite_cap, used_cap - np.where(self.finite_cap, inst.capacity, 0), 0.0)
        g_cap[(self.cap_price <= 0) & (g_cap < 0)] = 0.0
        norm = float(np.sum(g * g) + np.sum(g_cap * g_cap))
        if norm == 0.0:
            return False
        size = theta * max(self.best_cost - bound, 1e-6 * max(1.0, abs(bound))) / norm
        np.maximum(self.price + size * g, 0.0, out=self.price)
        np.maximum(self.cap_price + size * g_cap, 0.0, out=self.cap_price)
        return True

    def master(self, time_limit: float) -> None:
        """Combine the plans seen: pick one of its seen plans per order, jointly (a MIP)."""
        inst = self.inst
        if not self.snapshots:
            return
        snaps = np.stack(self.snapshots + [np.full(inst.num_lines, -1, np.int16)])
        num_o = inst.num_orders
        rng = np.random.default_rng(0)
        mult = rng.integers(1, 2**61, inst.num_lines, dtype=np.int64)
        # a hash per (snapshot, order) of that order's assignment
        h = np.add.reduceat((snaps.astype(np.int64) + 2) * mult[None, :], inst.line_ptr[:-1], axis=1)
        key = np.stack([np.broadcast_to(np.arange(num_o), h.shape).ravel(), h.ravel()], axis=1)
        _, first = np.unique(key, axis=0, return_index=True)
        snap_of_col, order_of_col = np.divmod(first, num_o)
        num_c = len(first)
        if num_c > self.params.master_max_columns:
            return
        # column cost and usage, evaluated on the snapshot each column comes from
        col_cost = np.empty(num_c)
        for k in np.unique(snap_of_col):
            sel = snap_of_col == k
            col_cost[sel] = plan_costs(inst, snaps[k])[order_of_col[sel]]
        lines, per_col = csr_gather(inst.line_ptr, order_of_col)
        col_of_line = np.repeat(np.arange(num_c), per_col)
        node = snaps[snap_of_col[col_of_line], lines]
        shipped = node >= 0
        lines, col_of_line, node = lines[shipped], col_of_line[shipped], node[shipped]
        comps, per_line = csr_gather(inst.comp_ptr, lines)
        res_key = np.repeat(node, per_line) * inst.num_skus + inst.comp_sku[comps]
        keys, res_row = np.unique(res_key, return_inverse=True)
        finite = self.finite_cap
        node_row = np.cumsum(finite) - 1
        on_cap = finite[node]
        rows = np.concatenate(
            [order_of_col, num_o + res_row, num_o + len(keys) + node_row[node[on_cap]]]
        )
        cols = np.concatenate([np.arange(num_c), np.repeat(col_of_line, per_line), col_of_line[on_cap]])
        coefs = np.concatenate(
            [np.ones(num_c), inst.comp_units[comps].astype(float), inst.line_units[lines[on_cap]].astype(float)]
        )
        lower = np.concatenate([np.ones(num_o), np.zeros(len(keys) + int(finite.sum()))])
        upper = np.concatenate(
            [np.ones(num_o), inst.available.reshape(-1)[keys].astype(float), inst.capacity[finite]]
        )
        # start HiGHS from the best plan: its columns are among those seen
        best_h = np.add.reduceat(
            (self.best_assign.astype(np.int64) + 2) * mult, inst.line_ptr[:-1]
        )
        hint = (h[snap_of_col, order_of_col] == best_h[order_of_col]).astype(float)
        sol = solve_milp(
            col_cost, np.ones(num_c), np.ones(num_c, bool), rows, cols, coefs, lower, upper,
            time_limit=time_limit, hint=hint,
        )  # fmt: skip
        if sol.values is None:
            return
        picked = np.flatnonzero(sol.values > 0.5)
        assign = np.full(inst.num_lines, -1, np.int64)
        lines, per_col = csr_gather(inst.line_ptr, order_of_col[picked])
        assign[lines] = snaps[np.repeat(snap_of_col[picked], per_col), lines].astype(np.int64)
        self.offer(self.improve(assign))


def solve(
    inst: Instance,
    *,
    time_limit: float = 60.0,
    params: BatchParams | None = None,
    progress: Progress | None = None,
) -> Result:
    """The best plan found within ``time_limit`` seconds, with a proven lower bound and gap."""
    params = params or BatchParams()
    start = time.perf_counter()
    deadline = start + time_limit
    search = _Search(inst, params, deadline)
    theta = params.step
    stall = 0
    # leave a share of the time for combining the plans seen
    lagrange_end = start + time_limit * (0.7 if params.master else 1.0)
    for it in range(params.max_iterations):
        search.iterations = it + 1
        bound, relaxed_assign = search.relaxed()
        if bound > search.bound + 1e-9 * max(1.0, abs(bound)):
            search.bound = bound
            stall = 0
        else:
            stall += 1
            if stall >= params.patience:
                theta, stall = theta / 2, 0
        if it % params.repair_every == 0:
            search.repair(relaxed_assign)
        else:
            search.remember(relaxed_assign)
        if progress is not None:
            frac = min(1.0, (time.perf_counter() - start) / time_limit)
            progress(frac, f"bound {search.bound:,.2f}  plan {search.best_cost:,.2f}")
        if search.gap() <= params.gap_tolerance or time.perf_counter() > lagrange_end:
            break
        if theta < params.min_step or not search.step(relaxed_assign, bound, theta):
            search.repair(relaxed_assign)
            break
    if params.master and search.gap() > params.gap_tolerance:
        remaining = deadline - time.perf_counter()
        if remaining > 0.05:
            search.master(remaining)
    bound = min(search.bound, search.best_cost)
    gap = (search.best_cost - bound) / max(search.best_cost, 1e-9)
    return Result(
        method="lagrangian",
        status=Status.OPTIMAL if gap <= _PROVEN else Status.LIMIT_REACHED,
        assign=search.best_assign,
        objective=search.best_cost,
        bound=bound,
        runtime=time.perf_counter() - start,
        stats={"iterations": search.iterations, "repairs": search.repairs},
    )
