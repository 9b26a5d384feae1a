"""How a batch solve shares its stopping budget between its phases.

The budget is the stopping criterion's time limit or work limit (``solvers.stop``). The price
search gets the first ``lagrangian_share`` of it (its last ``master_share`` for LP master steps
when they fit), repairs at most about a third of that, and the moves get the rest. With a work
limit every phase ends on solves done, never on the clock, so the plan is the same on any machine.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from solvers.batch.params import BatchParams
from solvers.stop import StoppingCriterion

# master LP entries (column x resource) PDLP gets through per second on 2 cores: the master
# steps run only if three of them fit in their share of the time (docs/allocation.md)
_MASTER_ENTRIES_PER_SECOND = 100_000


class Schedule:
    """When each phase ends: on the clock, or on single-order solves done."""

    def __init__(self, stop: StoppingCriterion, params: BatchParams, num_orders: int) -> None:
        self.params = params
        self.start = time.perf_counter()
        self.time_limit = stop.time_limit
        self.work_limit = stop.work_limit
        self.num_orders = num_orders
        self.work = 0
        self.repair_work = 0
        self.repair_seconds = 0.0
        self.repairs = 0

    def spend(self, solves: int) -> None:
        self.work += solves

    def _elapsed(self) -> float:
        return time.perf_counter() - self.start

    def fraction(self) -> float:
        """Share of the budget used, for progress bars."""
        if self.work_limit is not None:
            return min(1.0, self.work / self.work_limit)
        return min(1.0, self._elapsed() / self.time_limit)

    def repair_allowed(self, master: bool) -> bool:
        """Repairs take at most about a third of the effort, so the bound keeps improving, and
        none starts when the price search would end before it did: the last plan comes from the
        best prices anyway."""
        share = self._lagrangian_share(master)
        if self.work_limit is not None:
            last = self.repair_work / max(self.repairs, 1)
            return (
                self.repair_work <= 0.35 * self.work and self.work + last < share * self.work_limit
            )
        last = self.repair_seconds / max(self.repairs, 1)
        elapsed = self._elapsed()
        return self.repair_seconds <= 0.35 * elapsed and elapsed + last < share * self.time_limit

    @contextlib.contextmanager
    def repairing(self) -> Iterator[None]:
        t0, w0 = time.perf_counter(), self.work
        yield
        # a repair routes every order once and re-routes them in a few improvement passes
        self.spend(3 * self.num_orders)
        self.repair_work += self.work - w0
        self.repair_seconds += time.perf_counter() - t0
        self.repairs += 1

    def master_fits(self, entries: int) -> bool:
        """Whether LP master steps run: on the clock only (PDLP is not reproducible by work),
        and only when three of them fit in their share for a master LP of ``entries``."""
        seconds = self.params.master_share * self.time_limit
        return self.work_limit is None and 3 * entries <= _MASTER_ENTRIES_PER_SECOND * seconds

    def _lagrangian_share(self, master: bool) -> float:
        """Share of the budget for the subgradient price search; with ``master`` steps to come,
        it ends before their share."""
        return self.params.lagrangian_share - (self.params.master_share if master else 0.0)

    def lagrangian_over(self, master: bool) -> bool:
        """The end of the subgradient price search."""
        share = self._lagrangian_share(master)
        if self._elapsed() > share * self.time_limit:
            return True
        return self.work_limit is not None and self.work >= share * self.work_limit

    def master_left(self) -> float:
        """Seconds left for LP master steps."""
        return self.params.lagrangian_share * self.time_limit - self._elapsed()

    def over(self) -> bool:
        if self._elapsed() > self.time_limit - 0.05:
            return True
        return self.work_limit is not None and self.work >= self.work_limit
