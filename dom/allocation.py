"""Allocate a batch of orders: one call from network and orders to a priced plan.

Methods: ``default`` (Lagrangian decomposition, then the exact model to close the gap while the
instance is small enough and time remains), ``lagrangian`` (decomposition alone), ``exact`` (the
shipment-pattern MIP alone) and ``greedy`` (the rule-based baseline).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from dom.costs import CostModel
from dom.model import Network, Orders
from dom.plan import Plan, build_plan
from solvers import batch, mip
from solvers.baselines import greedy
from solvers.instance import Instance
from solvers.order import MAX_EXACT_LINES
from solvers.result import Result, Status
from solvers.warmup import warm_up

METHODS = ("default", "lagrangian", "exact", "greedy")
# The exact model is tried only below this many shipment patterns (HiGHS closes such models in
# seconds to a minute on 2 cores; beyond it the decomposition's bound is the better use of time).
EXACT_MAX_PATTERNS = 250_000
EXACT_FIRST_PATTERNS = 20_000  # below this, try the exact model first


@dataclass(frozen=True, eq=False)
class AllocationResult:
    """The solver's result and the plan built from it."""

    result: Result
    plan: Plan
    instance: Instance


def allocate(
    network: Network,
    orders: Orders,
    *,
    method: str = "default",
    time_limit: float = 60.0,
    work_limit: int | None = None,
    progress: batch.Progress | None = None,
) -> AllocationResult:
    """The cheapest plan ``method`` finds for ``orders`` within ``time_limit`` seconds.

    With ``work_limit`` (single-order solves) the search stops on work done, not on the clock,
    and skips the time-limited exact stages: the same input then gives the same plan on any
    machine (a retried job reproduces its plan); ``time_limit`` remains a safety cap.
    """
    if work_limit is not None and work_limit < 1:
        raise ValueError(f"work_limit must be at least 1, got {work_limit}")
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if time_limit <= 0:
        raise ValueError(f"time_limit must be positive, got {time_limit}")
    inst, tables = CostModel(network).instance(orders)
    warm_up()
    result = solve(
        inst, method=method, time_limit=time_limit, work_limit=work_limit, progress=progress
    )
    return AllocationResult(result, build_plan(network, orders, inst, tables, result), inst)


def solve(
    inst: Instance,
    *,
    method: str = "default",
    time_limit: float = 60.0,
    work_limit: int | None = None,
    progress: batch.Progress | None = None,
) -> Result:
    """Run ``method`` on a built instance (``work_limit``: see :func:`allocate`).

    The exact model's solves are killed at their deadline (HiGHS can overrun its own limit by
    many seconds): a solve cut short adds no plan and no bound, the decomposition's stand.
    """
    start = time.perf_counter()
    deadline = start + time_limit
    if method == "greedy":
        return greedy(inst)
    if method == "exact":
        # the solver's limit leaves slack for building the model and for the child's start
        return mip.solve_exact(inst, time_limit=0.8 * time_limit, deadline=deadline)
    patterns = _num_patterns(inst)
    polish = method == "default" and work_limit is None and patterns <= EXACT_MAX_PATTERNS
    if polish and patterns <= EXACT_FIRST_PATTERNS:
        # tiny: the exact model usually proves the optimum before the decomposition warms up
        first = mip.solve_exact(
            inst, time_limit=0.3 * time_limit, deadline=start + 0.4 * time_limit
        )
        if first.status is Status.OPTIMAL:
            return _renamed(first, method, time.perf_counter() - start)
    result = batch.solve(
        inst,
        time_limit=time_limit * (0.4 if polish else 1.0),
        params=batch.BatchParams(work_limit=work_limit),
        progress=progress,
    )
    if not polish or result.status is Status.OPTIMAL:
        return _renamed(result, method, time.perf_counter() - start)
    remaining = time_limit - (time.perf_counter() - start)
    if remaining < 1.0:
        return _renamed(result, method, time.perf_counter() - start)
    if progress is not None:
        progress(0.5, "closing the gap with the exact model")
    # slack for building the model and the child's start; the deadline cuts HiGHS' overrun
    exact = mip.solve_exact(inst, time_limit=0.8 * remaining, hint=result.assign, deadline=deadline)
    best = exact if exact.objective < result.objective else result
    bound = max(result.bound, exact.bound)
    gap = (best.objective - bound) / max(best.objective, 1e-9)
    return Result(
        method="default",
        status=Status.OPTIMAL if gap <= 1e-7 else Status.LIMIT_REACHED,
        assign=best.assign,
        objective=best.objective,
        bound=min(bound, best.objective),
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
    )
