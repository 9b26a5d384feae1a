"""Allocation solvers: pure functions on the columnar :class:`Instance`, no import of ours.

The exact single-order kernel (:func:`solve_order`), the batch solver with a proven bound
(:func:`solve_batch`), the exact shipment-pattern MIP (:func:`solve_exact`) and the greedy baseline
(:func:`greedy`) all return one :class:`Result`; stopping criteria are small objects combined with
``|`` (:class:`MaxRuntime`, :class:`MaxWork`, :class:`GapBelow`). Bad arguments raise
``ValueError``; the domain layer (``dom``) maps them to its own errors.

Names load on first use (PEP 562): ``python -m solvers.milp``, the exact model's child process,
imports this package first and must stay free of numba.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from solvers.baselines import greedy
    from solvers.batch import BatchParams
    from solvers.batch import solve as solve_batch
    from solvers.instance import Instance
    from solvers.mip import solve_exact
    from solvers.order import MAX_EXACT_LINES, solve_order
    from solvers.plans import billable_lb, order_cost, plan_costs, plan_usage
    from solvers.result import PROVEN_GAP, Result, Status, describe, relative_gap, status_of
    from solvers.stop import AnyOf, GapBelow, MaxRuntime, MaxWork, StoppingCriterion
    from solvers.warmup import warm_up

_WHERE = {
    "greedy": ("solvers.baselines", "greedy"),
    "BatchParams": ("solvers.batch", "BatchParams"),
    "solve_batch": ("solvers.batch", "solve"),
    "Instance": ("solvers.instance", "Instance"),
    "solve_exact": ("solvers.mip", "solve_exact"),
    "MAX_EXACT_LINES": ("solvers.order", "MAX_EXACT_LINES"),
    "solve_order": ("solvers.order", "solve_order"),
    "billable_lb": ("solvers.plans", "billable_lb"),
    "order_cost": ("solvers.plans", "order_cost"),
    "plan_costs": ("solvers.plans", "plan_costs"),
    "plan_usage": ("solvers.plans", "plan_usage"),
    "PROVEN_GAP": ("solvers.result", "PROVEN_GAP"),
    "Result": ("solvers.result", "Result"),
    "Status": ("solvers.result", "Status"),
    "describe": ("solvers.result", "describe"),
    "relative_gap": ("solvers.result", "relative_gap"),
    "status_of": ("solvers.result", "status_of"),
    "AnyOf": ("solvers.stop", "AnyOf"),
    "GapBelow": ("solvers.stop", "GapBelow"),
    "MaxRuntime": ("solvers.stop", "MaxRuntime"),
    "MaxWork": ("solvers.stop", "MaxWork"),
    "StoppingCriterion": ("solvers.stop", "StoppingCriterion"),
    "warm_up": ("solvers.warmup", "warm_up"),
}

__all__ = [
    "MAX_EXACT_LINES",
    "PROVEN_GAP",
    "AnyOf",
    "BatchParams",
    "GapBelow",
    "Instance",
    "MaxRuntime",
    "MaxWork",
    "Result",
    "Status",
    "StoppingCriterion",
    "billable_lb",
    "describe",
    "greedy",
    "order_cost",
    "plan_costs",
    "plan_usage",
    "relative_gap",
    "solve_batch",
    "solve_exact",
    "solve_order",
    "status_of",
    "warm_up",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'solvers' has no attribute {name!r}")
    module, attr = _WHERE[name]
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
