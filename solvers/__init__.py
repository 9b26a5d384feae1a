"""Allocation solvers: pure functions on the columnar :class:`Instance`, no import of ours.

The exact single-order kernel (:func:`solve_order`), the batch solver with a proven bound
(:func:`solve_batch`), the exact shipment-pattern MIP (:func:`solve_exact`) and the greedy baseline
(:func:`greedy`) all return one :class:`Result`; stopping criteria are small objects combined with
``|`` (:class:`MaxRuntime`, :class:`MaxWork`, :class:`GapBelow`). Bad arguments raise
``ValueError``; the domain layer (``dom``) maps them to its own errors.
"""

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
