"""State of one batch solve: the prices, the best bound and plan, and the plans seen.

The bound comes from exact passes (every order's priced subproblem solved by the kernel); between
them the prices take sign steps on the dual restricted to the pool of plans seen, or a smoothed
step to the pool's master LP duals. Plans come from the prices by priced sequential routing and
exact coordinate descent (``docs/allocation.md``).
"""

from __future__ import annotations

import time

import numpy as np

from solvers.batch.params import BatchParams
from solvers.batch.pricing import (
    any_step,
    initial_prices,
    priced_costs,
    relaxed_pass,
    route_in_sequence,
    sign_step,
)
from solvers.columns import ColumnPool
from solvers.instance import Instance, csr_gather
from solvers.plans import plan_costs, plan_usage
from solvers.result import relative_gap

# a descent pass that saves less than this share of the plan ends the descent: the moves that
# follow save more per second by then (docs/allocation.md, Coordinate descent)
_DESCENT_MIN = 1e-3
_TARGETS = 16  # relaxed plans kept as targets of ejection moves (``solvers.lns``)
_SMOOTHING = 0.5  # weight of the best prices when mixed with the LP master's (Wentges 1997)
# each exact pass restarts the sign-step rates at no less than this share of the price, so rates
# that halved on every flip do not stall the search at their floor (docs/allocation.md, Sign steps)
_RATE_RESTART = 0.05


class PriceSearch:
    """State of one batch solve: prices, the best plan and bound, and the plans seen."""

    def __init__(self, inst: Instance, params: BatchParams, deadline: float) -> None:
        self.inst = inst
        self.params = params
        self.deadline = deadline
        self.pool = ColumnPool(inst)
        # every order may go unfilled: the restricted dual never prices stock above that
        self.pool.add(np.full(inst.num_lines, -1, np.int64))
        # one flat price per resource (``ColumnPool``); ``price``/``cap_price`` are views of it
        self.prices = np.zeros(self.pool.num_resources)
        stock = inst.num_nodes * inst.num_skus
        self.price = self.prices[:stock].reshape(inst.available.shape)
        self.cap_price = self.prices[stock : stock + inst.num_nodes]
        cuts = self.pool.cuts
        # the kernel's view of the stock cuts and their prices
        self.cuts = (cuts.ptr, cuts.div, self.prices[stock + inst.num_nodes :])
        self.price[...] = initial_prices(inst)
        unit_penalty = float(
            np.max(inst.line_backorder / np.maximum(inst.line_units, 1), initial=1.0)
        )
        self.max_rate = unit_penalty
        self.rate = np.full(self.pool.num_resources, params.initial_rate * unit_penalty)
        self.last_sign = np.zeros(self.pool.num_resources, np.int8)
        self.best_assign = np.full(inst.num_lines, -1, np.int64)
        self.best_cost = float(inst.line_backorder.sum())
        self.bound = -np.inf
        self.best_prices: np.ndarray | None = None
        # the relaxed plan at the best prices and each order's priced cost in it
        self.best_relaxed: tuple[np.ndarray, np.ndarray] | None = None
        self.relaxed_usage = np.zeros(self.pool.num_resources)  # of the last relaxed plan
        self.iterations = 0
        self.repairs = 0
        self.targets: list[np.ndarray] = []  # the latest relaxed plans, oldest first
        self.master_steps = 0

    def _args(self) -> tuple:
        i = self.inst
        return (
            i.line_ptr, i.ship_complete, i.order_table, i.line_weight, i.line_backorder,
            i.line_units, i.comp_ptr, i.comp_sku, i.comp_units,
        )  # fmt: skip

    def relaxed(self) -> tuple[float, np.ndarray, np.ndarray]:
        """Lagrangian bound at the current prices, the relaxed plan and each order's priced
        cost in it."""
        inst = self.inst
        assign = np.full(inst.num_lines, -1, np.int64)
        per_order = np.zeros(inst.num_orders)
        relaxed_pass(
            *self._args(), inst.available, inst.capacity, inst.ship_cost, inst.split_penalty,
            inst.max_shipments, self.price, self.cap_price, self.cuts, assign, per_order,
        )  # fmt: skip
        return float(per_order.sum() - (self.prices * self.pool.supply).sum()), assign, per_order

    def regret(
        self,
        assign: np.ndarray,
        relaxed_costs: np.ndarray,
        orders: np.ndarray | None = None,
        out: np.ndarray | None = None,
    ) -> np.ndarray:
        """Per order, how much its plan in ``assign`` costs at the current prices above its
        relaxed plan's ``relaxed_costs``. The gap to the bound is the sum of these and the
        priced stock and capacity the plan leaves unused. With ``orders`` and ``out`` (a regret
        array of an earlier plan), only those orders' entries are recomputed, in ``out``."""
        inst = self.inst
        if orders is None:
            orders = np.arange(inst.num_orders)
        if out is None:
            out = np.zeros(inst.num_orders)
        priced_costs(
            orders, inst.line_ptr, inst.order_table, inst.line_weight, inst.line_backorder,
            inst.ship_cost, inst.split_penalty, inst.line_units, inst.comp_ptr, inst.comp_sku,
            inst.comp_units, assign, self.price, self.cap_price, out,
        )  # fmt: skip
        _, cut_charge = self.pool.cut_tally(assign, self.cuts[2], orders)
        out[orders] += cut_charge[orders] - relaxed_costs[orders]
        return out

    def route(
        self, sequence: np.ndarray, prices: bool, assign: np.ndarray | None = None
    ) -> np.ndarray:
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
        route_in_sequence(
            sequence, *self._args(), avail, cap, inst.ship_cost, inst.split_penalty,
            inst.max_shipments, self.price, self.cap_price, self.cuts, prices, release, assign,
        )  # fmt: skip
        return assign

    def improve(self, assign: np.ndarray) -> np.ndarray:
        """Exact coordinate descent: re-route every order against all the others until a pass
        saves less than ``_DESCENT_MIN`` of the plan (the moves take it from there)."""
        costs = plan_costs(self.inst, assign)
        for _ in range(self.params.improve_passes):
            before = costs.sum()
            assign = self.route(np.argsort(-costs, kind="stable"), prices=False, assign=assign)
            costs = plan_costs(self.inst, assign)
            if costs.sum() >= before * (1 - _DESCENT_MIN) or time.perf_counter() > self.deadline:
                break
        return assign

    def offer(self, assign: np.ndarray) -> None:
        """Keep ``assign`` if it is the best plan so far."""
        cost = float(plan_costs(self.inst, assign).sum())
        if cost < self.best_cost - 1e-9:
            self.best_cost = cost
            self.best_assign = assign

    def repair(self, relaxed_assign: np.ndarray) -> None:
        """A plan from the current prices: priced sequential routing, then exact improvement.

        Orders whose relaxed choice draws on no over-used stock or capacity keep it (they go
        first); the contested ones follow, the largest (most units) first, as in first-fit
        decreasing: a big order needs many units at one node to ship in one package, a small one
        fits almost anywhere. Among orders of equal size, the dearest relaxed choice first. This
        start is cheaper than dearest-first alone (docs/allocation.md, Repair: plans from the
        prices)."""
        inst = self.inst
        priced = plan_costs(inst, relaxed_assign)
        used, used_cap = plan_usage(inst, relaxed_assign)
        over = (used > inst.available).reshape(-1)
        over_cap = used_cap > inst.capacity
        lines = np.flatnonzero(relaxed_assign >= 0)
        comps, counts = csr_gather(inst.comp_ptr, lines)
        node = np.repeat(relaxed_assign[lines], counts)
        bad_comp = over[node * inst.num_skus + inst.comp_sku[comps]] | over_cap[node]
        bad_line = np.zeros(inst.num_lines, bool)
        bad_line[lines] = (
            np.add.reduceat(bad_comp, np.concatenate([[0], np.cumsum(counts)[:-1]])) > 0
            if len(lines)
            else False
        )
        contested = np.add.reduceat(bad_line, inst.line_ptr[:-1]) > 0
        sequence = np.lexsort((-priced, -inst.order_units, contested))
        assign = self.route(sequence, prices=True)
        self.offer(self.improve(assign))
        self.repairs += 1

    def gap(self, cost: float | None = None) -> float:
        """Relative gap of the best plan, or of a plan costing ``cost``, to the best bound (1
        while there is none)."""
        gap = relative_gap(self.best_cost if cost is None else cost, self.bound)
        return 1.0 if gap is None else gap

    def needs_step(self) -> bool:
        """Whether the last relaxed plan over-uses a resource or leaves a priced one slack; if
        not, it is feasible and complementary: the prices are optimal."""
        return any_step(self.relaxed_usage, self.pool.supply, self.pool.finite, self.prices)

    def active(self) -> np.ndarray:
        """The resources the LP master prices (flat mask): those priced now or at the best
        bound, and those the last relaxed plan over-uses; the rest nobody lacks."""
        active = (self.prices > 0) | (self.relaxed_usage > self.pool.supply)
        if self.best_prices is not None:
            active |= self.best_prices > 0
        return active

    def exact_pass(self) -> tuple[float, np.ndarray]:
        """The Lagrangian bound and relaxed plan at the current prices; the plan joins the pool
        and the targets, the prices are kept if the bound is the best so far."""
        bound, relaxed_assign, relaxed_costs = self.relaxed()
        self.pool.add(relaxed_assign)
        self.relaxed_usage = self.pool.usage(relaxed_assign)
        self.targets = [*self.targets[1 - _TARGETS :], relaxed_assign]
        if bound > self.bound + 1e-9 * max(1.0, abs(bound)):
            self.bound = bound
            self.best_prices = self.prices.copy()
            self.best_relaxed = relaxed_assign, relaxed_costs
        return bound, relaxed_assign

    def master_step(self, time_limit: float) -> bool:
        """Prices halfway between the best ones and the restricted master LP's (smoothed column
        generation: the master's own prices over-trust the pool); False if the LP gave nothing."""
        master = self.pool.master_prices(time_limit, self.active())
        if master is None or self.best_prices is None:
            return False
        self.prices[...] = _SMOOTHING * self.best_prices + (1 - _SMOOTHING) * master
        return True

    def price_search(self, steps: int) -> None:
        """``steps`` subgradient steps on the restricted dual (``solvers.columns``), rates
        restarted first; the prices end at the best restricted point seen."""
        np.maximum(self.rate, _RATE_RESTART * self.prices, out=self.rate)
        best_value, usage = self.pool.restricted(self.prices)
        best = self.prices.copy()
        for _ in range(steps):
            sign_step(
                usage, self.pool.supply, self.pool.finite, self.prices, self.rate, self.last_sign,
                self.max_rate,
            )  # fmt: skip
            value, usage = self.pool.restricted(self.prices)
            if value > best_value:
                best_value = value
                best[...] = self.prices
        self.prices[...] = best
