"""The one Result every allocation solver returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np


class Status(StrEnum):
    """How a solve ended."""

    OPTIMAL = "optimal"  # proven: objective == bound (within tolerance)
    LIMIT_REACHED = "limit_reached"  # a feasible plan, bound proven, gap left open at the limit
    FEASIBLE = "feasible"  # a feasible plan, no bound (e.g. the greedy baseline)


@dataclass(frozen=True, eq=False)
class Result:
    """A plan (node per line, -1 unfilled), its cost, a proven lower bound and the gap."""

    method: str
    status: Status
    assign: np.ndarray  # int64 [line]: node index or -1
    objective: float
    bound: float  # proven lower bound on the optimum; -inf when none
    runtime: float  # seconds
    stats: dict[str, float | int | str] = field(default_factory=dict)

    @property
    def gap(self) -> float:
        """(objective - bound) / max(objective, 1e-9), contracts §4; inf without a bound."""
        if not np.isfinite(self.bound):
            return float("inf")
        return max(0.0, (self.objective - self.bound) / max(self.objective, 1e-9))

    @property
    def proven_optimal(self) -> bool:
        return self.status is Status.OPTIMAL

    def summary(self) -> str:
        """One line for people."""
        bound = f"{self.bound:,.2f}" if np.isfinite(self.bound) else "none"
        gap = f"{self.gap:.3%}" if np.isfinite(self.gap) else "n/a"
        return (
            f"{self.method}: {self.status.value}, cost {self.objective:,.2f}, "
            f"bound {bound}, gap {gap}, {self.runtime:.2f}s"
        )
