"""Allocate a batch of orders: one call from network and orders to a priced, bounded plan.

Methods: ``default`` (the Lagrangian decomposition, then the exact model to close the gap while
the instance is small enough and time remains), ``lagrangian`` (the decomposition alone),
``exact`` (the shipment-pattern MIP alone) and ``greedy`` (the rule-based baseline).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from dom.costs import CostModel
from dom.errors import InvalidInput
from dom.model import Network, Orders
from dom.plan import Plan, build_plan
from solvers import (
    MAX_EXACT_LINES,
    BatchParams,
    GapBelow,
    Instance,
    MaxRuntime,
    Result,
    Status,
    StoppingCriterion,
    describe,
    greedy,
    solve_batch,
    solve_exact,
    status_of,
    warm_up,
)
from solvers.batch import Progress

METHODS = ("default", "lagrangian", "exact", "greedy")
DEFAULT_STOP = MaxRuntime(60.0)
# The exact model is tried only below this many shipment patterns (HiGHS closes such models within
# a usual time limit; beyond it the decomposition's bound is the better use of time:
# docs/allocation.md, The exact MIP polish).
EXACT_MAX_PATTERNS = 250_000
EXACT_FIRST_PATTERNS = 20_000  # below this, try the exact model first


@dataclass(frozen=True, eq=False)
class AllocationResult:
    """What :func:`allocate` found: the plan, its cost, the proven bound and the gap.

    ``lower_bound`` and ``gap`` are None when the method proves no bound (``greedy``);
    ``str(result)`` is one line for people.
    """

    status: Status
    total_cost: float
    lower_bound: float | None
    gap: float | None
    plan: Plan
    method: str
    runtime: float
    message: str
    stats: dict[str, float | int | str] = field(default_factory=dict)
    # the prices of the best bound (``solvers.Result.prices``); None when the method has none
    prices: np.ndarray | None = None

    def __str__(self) -> str:
        summary = describe(
            self.method, self.status, self.total_cost, self.lower_bound, self.runtime
        )
        return f"{summary} ({self.message})"


def allocate(
    network: Network,
    orders: Orders,
    *,
    stop: StoppingCriterion = DEFAULT_STOP,
    seed: int = 0,
    method: str = "default",
    progress: Progress | None = None,
) -> AllocationResult:
    """The cheapest plan ``method`` finds for ``orders`` before ``stop``.

    ``stop`` combines :class:`~solvers.MaxRuntime`, :class:`~solvers.MaxWork` and
    :class:`~solvers.GapBelow` with ``|``. With a work limit the search stops on work done, not
    on the clock, and skips the time-limited exact stages: the same input and ``seed`` then give
    the same plan on any machine (a retried job reproduces its plan).
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if not stop.bounded:
        raise ValueError(f"stop {stop} never ends the search: add MaxRuntime or MaxWork")
    if method == "exact":
        if not math.isfinite(stop.time_limit):
            raise ValueError("the exact method stops on the clock: give it a MaxRuntime")
        longest = int(np.diff(orders.line_ptr).max(initial=0))
        if longest > MAX_EXACT_LINES:
            raise InvalidInput(
                f"an order has {longest} lines; the exact model enumerates the packages of "
                f"orders of up to {MAX_EXACT_LINES} lines",
                column="order_id",
                fix="use --method default, which handles orders of any size",
            )
    inst, tables = CostModel(network).instance(orders)
    warm_up()
    result = _solve(inst, method, stop, BatchParams(seed=seed), progress)
    plan = build_plan(network, orders, inst, tables, result)
    summary = plan.summary
    return AllocationResult(
        status=result.status,
        total_cost=summary.total_cost,
        lower_bound=summary.lower_bound,
        gap=summary.gap,
        plan=plan,
        method=method,
        runtime=result.runtime,
        message=_message(result, stop),
        stats=result.stats,
        prices=result.prices,
    )


def _message(result: Result, stop: StoppingCriterion) -> str:
    """Why the solve ended, in words."""
    if result.status is Status.OPTIMAL:
        return "proven optimal"
    if result.status is Status.FEASIBLE:
        return "a heuristic plan, no bound proven"
    gap = result.gap
    if gap is not None and gap <= stop.gap:
        return f"gap below the target {stop.gap:.2%}"
    if result.stats.get("ended") == "no_improvement" and not result.stats.get("exact_polish"):
        return f"no improving move left, before {stop}"
    return f"stopped at {stop}"


def _solve(
    inst: Instance,
    method: str,
    stop: StoppingCriterion,
    params: BatchParams,
    progress: Progress | None,
) -> Result:
    """Run ``method`` on a built instance.

    The exact model's solves are killed at their deadline (HiGHS can overrun its own limit by
    many seconds): a solve cut short adds no plan and no bound, the decomposition's stand.
    """
    start = time.perf_counter()
    time_limit = stop.time_limit
    deadline = start + time_limit
    if method == "greedy":
        return greedy(inst)
    if method == "exact":
        # the solver's limit leaves slack for building the model and for the child's start
        return solve_exact(inst, time_limit=0.8 * time_limit, deadline=deadline)
    patterns = _num_patterns(inst)
    polish = method == "default" and stop.work_limit is None and patterns <= EXACT_MAX_PATTERNS
    if polish and patterns <= EXACT_FIRST_PATTERNS:
        # tiny: the exact model usually proves the optimum before the decomposition warms up
        first = solve_exact(inst, time_limit=0.3 * time_limit, deadline=start + 0.4 * time_limit)
        if first.status is Status.OPTIMAL:
            return _renamed(first, method, time.perf_counter() - start)
    batch_stop = MaxRuntime(0.4 * time_limit) | GapBelow(stop.gap) if polish else stop
    result = solve_batch(inst, stop=batch_stop, params=params, progress=progress)
    if not polish or result.status is Status.OPTIMAL:
        return _renamed(result, method, time.perf_counter() - start)
    remaining = time_limit - (time.perf_counter() - start)
    if remaining < 1.0 or (result.gap is not None and result.gap <= stop.gap):
        return _renamed(result, method, time.perf_counter() - start)
    if progress is not None:
        progress(0.5, "closing the gap with the exact model")
    # slack for building the model and the child's start; the deadline cuts HiGHS' overrun
    exact = solve_exact(inst, time_limit=0.8 * remaining, hint=result.assign, deadline=deadline)
    best = exact if exact.objective < result.objective else result
    bounds = [b for b in (result.bound, exact.bound) if b is not None]
    bound = min(max(bounds), best.objective) if bounds else None
    return Result(
        method="default",
        status=status_of(best.objective, bound),
        assign=best.assign,
        objective=best.objective,
        bound=bound,
        runtime=time.perf_counter() - start,
        stats={**result.stats, "exact_polish": 1},
    )


def _num_patterns(inst: Instance) -> float:
    """An upper estimate of the exact model's size (inf when an order is too long for it)."""
    lines = np.diff(inst.line_ptr)
    if lines.max(initial=0) > MAX_EXACT_LINES:
        return float("inf")
    reachable = (inst.order_table >= 0).sum(axis=1)
    return float((np.where(inst.ship_complete, 1, (2.0**lines) - 1) * reachable).sum())


def _renamed(result: Result, method: str, runtime: float) -> Result:
    return Result(
        method=method,
        status=result.status,
        assign=result.assign,
        objective=result.objective,
        bound=result.bound,
        runtime=runtime,
        stats=result.stats,
        prices=result.prices,
    )


__all__ = ["DEFAULT_STOP", "METHODS", "AllocationResult", "allocate"]
