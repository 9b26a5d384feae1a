"""The one Result every allocation solver returns, and the one gap formula (contracts §4)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

PROVEN_GAP = 1e-7  # a relative gap at or below this counts as proven optimal (float noise)


def relative_gap(objective: float, bound: float | None) -> float | None:
    """``(objective - bound) / max(objective, 1e-9)``, never below 0; None without a bound."""
    if bound is None or not math.isfinite(bound):
        return None
    return max(0.0, (objective - bound) / max(objective, 1e-9))


class Status(StrEnum):
    """How a solve ended."""

    OPTIMAL = "optimal"  # proven: objective == bound (within PROVEN_GAP)
    LIMIT_REACHED = "limit_reached"  # a feasible plan, bound proven, gap left open at the limit
    FEASIBLE = "feasible"  # a feasible plan, no bound (e.g. the greedy baseline)


@dataclass(frozen=True, eq=False)
class Result:
    """A plan (node per line, -1 unfilled), its cost, a proven lower bound and the gap."""

    method: str
    status: Status
    assign: np.ndarray  # int64 [line]: node index or -1
    objective: float
    bound: float | None  # proven lower bound on the optimum; None when there is none
    runtime: float  # seconds
    stats: dict[str, float | int | str] = field(default_factory=dict)
    # the prices of the best bound, flat (``solvers.columns``): stock [node, sku], capacity
    # [node], then the stock cuts; None from solvers that price nothing
    prices: np.ndarray | None = None

    @property
    def gap(self) -> float | None:
        """The relative gap of contracts §4; None without a bound."""
        return relative_gap(self.objective, self.bound)

    @property
    def proven_optimal(self) -> bool:
        return self.status is Status.OPTIMAL

    def summary(self) -> str:
        """One line for people."""
        return describe(self.method, self.status, self.objective, self.bound, self.runtime)


def describe(method: str, status: Status, cost: float, bound: float | None, seconds: float) -> str:
    """``default: limit_reached, cost 164,276.00, bound 162,759.00, gap 0.923%, 55.0 s``."""
    shown = "none" if bound is None else f"{bound:,.2f}"
    gap = relative_gap(cost, bound)
    return (
        f"{method}: {status.value}, cost {cost:,.2f}, bound {shown}, "
        f"gap {'n/a' if gap is None else f'{gap:.3%}'}, {seconds:.1f} s"
    )


def status_of(objective: float, bound: float | None) -> Status:
    """OPTIMAL when the bound closes the gap, LIMIT_REACHED with an open one, else FEASIBLE."""
    gap = relative_gap(objective, bound)
    if gap is None:
        return Status.FEASIBLE
    return Status.OPTIMAL if gap <= PROVEN_GAP else Status.LIMIT_REACHED
