"""The batch solver's knobs, checked on construction (the measured choices: docs/allocation.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BatchParams:
    """Knobs of the batch solver; each is checked on construction."""

    max_iterations: int = 100_000
    initial_rate: float = 0.1  # first price step, as a share of the per-unit backorder penalty
    price_steps: int = 10  # first restricted-dual steps between exact passes (``solvers.columns``)
    repair_every: int = 10
    improve_passes: int = 4
    lagrangian_share: float = 0.55  # of the budget; the rest goes to ruin-and-recreate
    master_share: float = 0.15  # of the budget, the end of the Lagrangian share: LP master
    # orders released together by one ruin-and-recreate move (twice as many by an ejection):
    # more, smaller moves beat larger ones on every day measured (docs/allocation.md, Ruin and
    # recreate)
    neighbourhood: int = 8
    lns_patience: int = 25  # stop after this many chunks of moves without a saving
    lns_workers: int = 2  # threads making ruin-and-recreate moves at once (``solvers.lns``)
    gap_tolerance: float = 1e-5  # a gap this small ends the search whatever the stop says
    seed: int = 0  # of the moves' random draws: the same seed and work limit, the same plan

    def __post_init__(self) -> None:
        for name in (
            "max_iterations",
            "price_steps",
            "repair_every",
            "improve_passes",
            "neighbourhood",
            "lns_patience",
            "lns_workers",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"BatchParams.{name} must be >= 1, got {getattr(self, name)}")
        if not 0 < self.initial_rate <= 1:
            raise ValueError(f"BatchParams.initial_rate must be in (0, 1], got {self.initial_rate}")
        if not 0 < self.lagrangian_share <= 1:
            raise ValueError(
                f"BatchParams.lagrangian_share must be in (0, 1], got {self.lagrangian_share}"
            )
        if not 0 <= self.master_share < self.lagrangian_share:
            raise ValueError(
                f"BatchParams.master_share must be in [0, lagrangian_share), got "
                f"{self.master_share}"
            )
        if not 0 <= self.gap_tolerance < 1:
            raise ValueError(
                f"BatchParams.gap_tolerance must be in [0, 1), got {self.gap_tolerance}"
            )
        if self.seed < 0:
            raise ValueError(f"BatchParams.seed must be >= 0, got {self.seed}")
