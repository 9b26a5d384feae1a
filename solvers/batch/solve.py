"""The batch solve in its phases: price search, LP master steps, a last repair, then the moves.

``docs/allocation.md`` describes each phase, its sources and the measurements behind its rules.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import numpy as np

from solvers.batch.params import BatchParams
from solvers.batch.schedule import Schedule
from solvers.batch.search import PriceSearch
from solvers.instance import Instance
from solvers.lns import RuinRecreate
from solvers.result import Result, status_of
from solvers.stop import MaxRuntime, StoppingCriterion

Progress = Callable[[float, str], None]
_LNS_CHUNK = 2000  # ruin-and-recreate moves between clock checks
# a restricted-dual pass over the pool costs about this share of an exact pass, in work counted
# as single-order solves (measured: docs/allocation.md, The column pool and the restricted dual)
_RESTRICTED_PER_EXACT = 10
_MAX_PRICE_STEPS = 100
# and at least this many once they fail: a one-step search that overshoots goes back to its start
# while its rates only grow, so it would stand still
_MIN_PRICE_STEPS = 2
# the subgradient search ends after this many exact passes in a row that did not raise the best
# bound, leaving its time to the LP master steps (docs/allocation.md, The stall rule)
_STALL_PASSES = 10
_PDLP_SHARE = 0.7  # of the time left, for PDLP itself: the rest builds the model and reads it


class _Run:
    """One solve: the search state, the schedule and the gap that ends it."""

    def __init__(
        self,
        inst: Instance,
        stop: StoppingCriterion,
        params: BatchParams,
        progress: Progress | None,
    ) -> None:
        self.inst = inst
        self.params = params
        self.start = time.perf_counter()
        self.search = PriceSearch(inst, params, self.start + stop.time_limit)
        self.schedule = Schedule(stop, params, inst.num_orders)
        self.target = max(params.gap_tolerance, stop.gap)
        self.progress = progress
        self.master = False  # whether LP master steps follow the subgradient search
        self.converged = False  # the prices are optimal: nothing can raise the bound
        self.ended = "budget"  # why the moves stopped: budget, gap or no_improvement

    def report(self, plan: float | None = None) -> None:
        """Progress: the bound and the plan (the best so far, or ``plan``: the moves')."""
        if self.progress is not None:
            cost = self.search.best_cost if plan is None else plan
            fraction = self.schedule.fraction()
            self.progress(fraction, f"bound {self.search.bound:,.2f}  plan {cost:,.2f}")

    def price_phase(self) -> None:
        """Exact passes, each followed by sign steps on the restricted dual; repairs now and
        then. Ends at its share of the budget, on a stall, or when the prices are optimal."""
        search, schedule, num_orders = self.search, self.schedule, self.inst.num_orders
        steps = self.params.price_steps
        last_bound = -np.inf
        flat = 0  # exact passes in a row that did not raise the best bound
        for it in range(self.params.max_iterations):
            search.iterations = it + 1
            best_before = search.bound
            bound, relaxed_assign = search.exact_pass()
            flat = 0 if search.bound > best_before else flat + 1
            schedule.spend(num_orders)
            if it > 0:
                # more restricted steps while they pay off in the exact bound, fewer when the
                # pool is too thin for them (its dual then runs away from the true one)
                rose = bound > last_bound
                steps = (
                    min(2 * steps, _MAX_PRICE_STEPS) if rose else max(steps // 2, _MIN_PRICE_STEPS)
                )
            last_bound = bound
            self.master = schedule.master_fits(search.pool.master_size(search.active()))
            due = it > 0 and it % self.params.repair_every == 0
            if due and schedule.repair_allowed(self.master):
                with schedule.repairing():
                    search.repair(relaxed_assign)
            self.report()
            if (
                search.gap() <= self.target
                or schedule.lagrangian_over(self.master)
                or flat >= _STALL_PASSES
            ):
                return
            if not search.needs_step():
                self.converged = True
                return
            if bound < search.bound and search.best_prices is not None:
                # a null step (bundle methods' term): back to the prices of the best bound, to
                # go on from there on a pool richer by this pass's plans
                search.prices[...] = search.best_prices
            search.price_search(steps)
            schedule.spend(steps * num_orders // _RESTRICTED_PER_EXACT)

    def master_phase(self) -> None:
        """Smoothed steps to the pool's master LP duals, while they raise the bound."""
        search, schedule = self.search, self.schedule
        stalled = 0
        while (
            self.master
            and not self.converged
            and search.gap() > self.target
            and stalled < 2
            and schedule.master_left() > 0
        ):
            before = search.bound
            if not search.master_step(_PDLP_SHARE * schedule.master_left()):
                return
            search.exact_pass()
            schedule.spend(self.inst.num_orders)
            search.master_steps += 1
            stalled = stalled + 1 if search.bound <= before + 1e-5 * abs(before) else 0
            self.report()

    def last_repair(self) -> np.ndarray | None:
        """A plan from the prices of the best bound; returns each order's priced cost in its
        relaxed plan there (what the moves' regret is measured against), None if not needed."""
        search = self.search
        if search.gap() <= self.target or search.best_prices is None:
            return None
        search.prices[...] = search.best_prices
        assert search.best_relaxed is not None  # set with the best prices
        relaxed_assign, relaxed_costs = search.best_relaxed
        search.targets.append(relaxed_assign)  # the moves aim at this relaxed plan most
        search.repair(relaxed_assign)
        return relaxed_costs

    def move_phase(self, relaxed_costs: np.ndarray | None) -> RuinRecreate:
        """Ruin-and-recreate moves from the best plan until the budget, the gap or patience
        ends them; each round's moved orders get their regret anew."""
        search, schedule, params = self.search, self.schedule, self.params
        lns = RuinRecreate(
            self.inst,
            search.best_assign,
            size=params.neighbourhood,
            workers=params.lns_workers,
            seed=params.seed,
        )
        targets = np.array(search.targets) if search.targets else None
        regret = None if relaxed_costs is None else search.regret(lns.assign, relaxed_costs)
        idle = 0  # chunks in a row that saved nothing: the neighbourhoods are exhausted
        while (
            search.gap(lns.cost) > self.target
            and not schedule.over()
            and idle < params.lns_patience
        ):
            solves = lns.solves
            saved, moved = lns.improve(_LNS_CHUNK, targets, regret)
            schedule.spend(lns.solves - solves)
            idle = idle + 1 if saved <= 0 else 0
            if relaxed_costs is not None and regret is not None and len(moved):
                search.regret(lns.assign, relaxed_costs, moved, regret)
            self.report(lns.cost)
        if search.gap(lns.cost) <= self.target:
            self.ended = "gap"
        elif idle >= params.lns_patience:
            self.ended = "no_improvement"
        search.offer(lns.assign)
        return lns


def solve(
    inst: Instance,
    *,
    stop: StoppingCriterion | None = None,
    params: BatchParams | None = None,
    progress: Progress | None = None,
) -> Result:
    """The best plan found before ``stop`` (default: 60 s), with a proven lower bound and gap."""
    stop = stop or MaxRuntime(60.0)
    if not stop.bounded:
        raise ValueError(f"stop {stop} never ends the search: add MaxRuntime or MaxWork")
    run = _Run(inst, stop, params or BatchParams(), progress)
    run.price_phase()
    run.master_phase()
    lns = run.move_phase(run.last_repair())
    search = run.search
    bound = min(search.bound, search.best_cost)
    return Result(
        method="lagrangian",
        status=status_of(search.best_cost, bound),
        assign=search.best_assign,
        objective=search.best_cost,
        bound=bound,
        runtime=time.perf_counter() - run.start,
        stats={
            "iterations": search.iterations,
            "master_steps": search.master_steps,
            "repairs": search.repairs,
            "lns_moves": lns.made,
            "ended": run.ended,
        },
        prices=search.best_prices,
    )


def price(
    inst: Instance,
    *,
    stop: StoppingCriterion,
    params: BatchParams | None = None,
) -> Result:
    """The price search alone, for its prices (``Result.prices``) and bound: no repairs and no
    moves, so the plan is the best seen before (every line unfilled unless the prices were
    optimal). Bid prices (``dom.pricing``) come from here: the Lagrangian prices of the best
    bound approximate the duals of the shipment-pattern LP."""
    if not stop.bounded:
        raise ValueError(f"stop {stop} never ends the search: add MaxRuntime or MaxWork")
    base = params or BatchParams()
    alone = dataclasses.replace(base, lagrangian_share=1.0, repair_every=base.max_iterations)
    run = _Run(inst, stop, alone, None)
    run.price_phase()
    run.master_phase()
    search = run.search
    return Result(
        method="prices",
        status=status_of(search.best_cost, min(search.bound, search.best_cost)),
        assign=search.best_assign,
        objective=search.best_cost,
        bound=min(search.bound, search.best_cost),
        runtime=time.perf_counter() - run.start,
        stats={"iterations": search.iterations, "master_steps": search.master_steps},
        prices=search.best_prices,
    )
