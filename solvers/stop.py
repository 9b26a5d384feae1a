"""When a solve stops: small criteria, combined with ``|`` (the shape of PyVRP's ``pyvrp.stop``).

``MaxRuntime(60) | GapBelow(0.01)`` stops at whichever comes first. A solver reads the combined
limits (:attr:`StoppingCriterion.time_limit`, :attr:`~StoppingCriterion.work_limit`,
:attr:`~StoppingCriterion.gap`) to share its budget between its phases, and asks
:meth:`~StoppingCriterion.reached` between steps. Work is counted in single-order solves of the
exact kernel, the same on any machine: a run stopped by :class:`MaxWork` alone is reproducible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


class StoppingCriterion:
    """Base of every criterion; ``a | b`` is met as soon as either is."""

    @property
    def criteria(self) -> tuple[StoppingCriterion, ...]:
        """The single criteria this one combines (itself, for a single one)."""
        return (self,)

    @property
    def time_limit(self) -> float:
        """Seconds allowed; ``inf`` when no :class:`MaxRuntime` is among the criteria."""
        return min(
            (c.seconds for c in self.criteria if isinstance(c, MaxRuntime)), default=math.inf
        )

    @property
    def work_limit(self) -> int | None:
        """Single-order solves allowed; None when no :class:`MaxWork` is among the criteria."""
        return min((c.solves for c in self.criteria if isinstance(c, MaxWork)), default=None)

    @property
    def gap(self) -> float:
        """The relative gap at which to stop; 0 when no :class:`GapBelow` is among the criteria."""
        return max((c.threshold for c in self.criteria if isinstance(c, GapBelow)), default=0.0)

    @property
    def bounded(self) -> bool:
        """Whether the run is sure to end: a runtime or a work limit is set."""
        return math.isfinite(self.time_limit) or self.work_limit is not None

    def reached(self, *, seconds: float, work: int, gap: float | None = None) -> bool:
        """Whether a run ``seconds`` long that did ``work`` solves, its gap ``gap``, should stop."""
        if seconds >= self.time_limit:
            return True
        if self.work_limit is not None and work >= self.work_limit:
            return True
        return gap is not None and gap <= self.gap

    def __or__(self, other: StoppingCriterion) -> AnyOf:
        return AnyOf((*self.criteria, *other.criteria))

    def __str__(self) -> str:
        return " | ".join(repr(c) for c in self.criteria)


@dataclass(frozen=True, repr=True)
class MaxRuntime(StoppingCriterion):
    """Stop after ``seconds`` of wall-clock time."""

    seconds: float

    def __post_init__(self) -> None:
        if not self.seconds > 0:
            raise ValueError(f"MaxRuntime needs a positive number of seconds, got {self.seconds}")


@dataclass(frozen=True, repr=True)
class MaxWork(StoppingCriterion):
    """Stop after ``solves`` single-order solves: the same plan on any machine."""

    solves: int

    def __post_init__(self) -> None:
        if isinstance(self.solves, bool) or not isinstance(self.solves, int) or self.solves < 1:
            raise ValueError(f"MaxWork needs a whole number of solves >= 1, got {self.solves!r}")


@dataclass(frozen=True, repr=True)
class GapBelow(StoppingCriterion):
    """Stop once the proven gap (contracts §4) is at most ``threshold`` (0.01 is 1%)."""

    threshold: float

    def __post_init__(self) -> None:
        if not 0 <= self.threshold < 1:
            raise ValueError(
                f"GapBelow needs a gap from 0 to below 1 (0.01 is 1%), got {self.threshold}"
            )


@dataclass(frozen=True, repr=False)
class AnyOf(StoppingCriterion):
    """Met as soon as any of ``parts`` is (``a | b`` builds one)."""

    parts: tuple[StoppingCriterion, ...]

    @property
    def criteria(self) -> tuple[StoppingCriterion, ...]:
        return self.parts

    def __repr__(self) -> str:
        return str(self)
