"""One run of a study: a (scenario, mode, seed) replayed day after day.

A day opens with the stock the previous day left plus the replenishment arriving that morning;
a cell at or below its reorder point at the end of a day (its inventory position: on hand plus
what is on order) is ordered up to twice that point, to arrive ``lead_days`` mornings later
(contracts §9). Unfilled lines are lost. Capacity is per day. What a run needs (the scenario's
network, router, cost model, the demand) is built once per process and kept, so a worker pays
for it once per study, not per run.
"""

from __future__ import annotations

import atexit
import hashlib
import pickle
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from dom.costs import CostModel
from dom.io import load_network
from dom.model import Network, Orders
from dom.plan import Plan
from dom.sourcing import Router
from dom.studies.demand import DemandModel, orders_of, seconds_of_day, take_orders, with_promise
from dom.studies.replay import Day, replay
from dom.studies.scenario import scenario_network
from dom.studies.spec import Scenario, Study
from solvers import plan_usage


@dataclass(frozen=True, eq=False)
class DayResult:
    """A replayed day: its plan, the stock it opened with (``on_hand[node, sku]``), the
    hindsight prices of its bound (flat: stock, then capacity) and the seconds it took."""

    day: int
    plan: Plan
    opening: np.ndarray
    prices: np.ndarray | None
    seconds: float


@dataclass(frozen=True, eq=False)
class RunResult:
    """Every day of one (scenario, mode, seed), or the error that stopped it."""

    scenario: str
    mode: str
    seed: int
    days: tuple[DayResult, ...] = ()
    error: str | None = None
    seconds: float = 0.0


def study_key(study: Study) -> str:
    """A digest of the study: the key of what a process keeps for it."""
    return hashlib.sha256(pickle.dumps(study)).hexdigest()[:16]


class StudyInputs:
    """What the runs of one study share in a process: the base network, the demand model, and
    per scenario its network (a bundle folder written once), router and cost model."""

    def __init__(self, study: Study) -> None:
        self.study = study
        self.base = load_network(study.network)
        self.demand = DemandModel.of(study, self.base)
        self._folder = Path(tempfile.mkdtemp(prefix="dom-study-"))
        atexit.register(shutil.rmtree, self._folder, True)
        self._scenarios: dict[str, tuple[Network, Router, CostModel]] = {}
        self._lock = threading.Lock()

    def scenario(self, name: str) -> tuple[Network, Router, CostModel]:
        """The scenario's network, its router and its cost model."""
        with self._lock:
            if name not in self._scenarios:
                scenario = self.study.scenario(name)
                network = scenario_network(self.study.network, scenario, self._folder / name)
                self._scenarios[name] = (network, Router(network), CostModel(network))
            return self._scenarios[name]

    def day_orders(self, scenario: Scenario, seed: int, day: int, network: Network) -> Orders:
        frame = self.demand.day(seed, day, scenario.demand_multiply)
        return orders_of(with_promise(frame, scenario), network)

    def forecasts(self, scenario: Scenario, seed: int, day: int, network: Network) -> list[Orders]:
        """The sampled futures of a day (whole days; the replay cuts them at each moment)."""
        count = self.study.pricing_of(scenario).forecasts
        frames = [
            self.demand.forecast(seed, day, k, scenario.demand_multiply) for k in range(count)
        ]
        return [orders_of(with_promise(f, scenario), network) for f in frames]


_inputs: dict[str, StudyInputs] = {}
_inputs_lock = threading.Lock()


def inputs_for(study: Study) -> StudyInputs:
    """The process's :class:`StudyInputs` of ``study``, built on first use."""
    key = study_key(study)
    with _inputs_lock:
        if key not in _inputs:
            _inputs.clear()  # one study at a time per process
            _inputs[key] = StudyInputs(study)
        return _inputs[key]


def restock(network: Network, on_hand: np.ndarray, on_order: np.ndarray) -> np.ndarray:
    """Units to order per cell at the end of a day: up to twice the reorder point where the
    position (on hand + on order) is at or below it; none where no point is given, nor at a
    disabled node."""
    point = network.reorder_point
    position = on_hand + on_order
    due = (point > 0) & (position <= point) & network.enabled[:, None]
    return np.where(due, 2 * point - position, 0).astype(np.int64)


def run(study: Study, scenario_name: str, mode: str, seed: int) -> RunResult:
    """Replay every day of (scenario, mode, seed)."""
    start = time.perf_counter()
    inputs = inputs_for(study)
    scenario = study.scenario(scenario_name)
    network, router, costs = inputs.scenario(scenario_name)
    on_hand = network.on_hand.copy()
    arrivals: dict[int, np.ndarray] = {}
    days = []
    for d in range(1, study.days + 1):
        on_hand = on_hand + arrivals.pop(d, 0)
        today = replace(network, on_hand=on_hand)
        orders = inputs.day_orders(scenario, seed, d, today)
        seconds = seconds_of_day(orders, inputs.demand.first_day, d)
        forecast = (
            _cutter(inputs, scenario, seed, d, today) if _priced(study, scenario, mode) else _none
        )
        t0 = time.perf_counter()
        replayed = replay(
            mode,
            Day(
                network=today,
                orders=orders,
                seconds=seconds,
                forecasts=forecast,
                router=router,
                costs=costs,
                work_limit=study.work_limit,
                batch=study.batch_of(scenario),
                pricing=study.pricing_of(scenario),
            ),
        )
        days.append(DayResult(d, replayed.plan, on_hand, replayed.prices, time.perf_counter() - t0))
        inst, _ = costs.instance(orders, available=today.available(), capacity=today.capacity)
        used, _ = plan_usage(inst, replayed.plan.assign)
        on_hand = on_hand - used
        if study.lead_days is not None:
            pending = sum(arrivals.values(), np.zeros_like(on_hand))
            order = restock(today, on_hand, pending)
            if order.any():
                due = d + study.lead_days
                arrivals[due] = arrivals.get(due, 0) + order
    return RunResult(scenario_name, mode, seed, tuple(days), seconds=time.perf_counter() - start)


def _priced(study: Study, scenario: Scenario, mode: str) -> bool:
    return mode in ("online_bid", "batch_bid") or (
        mode == "batch" and study.batch_of(scenario).bid_prices
    )


def _none(second: int) -> list[Orders]:
    return []


def _cutter(inputs: StudyInputs, scenario: Scenario, seed: int, day: int, network: Network):  # type: ignore[no-untyped-def]
    """The day's sampled futures, each cut to the orders arriving at or after a second."""
    futures = inputs.forecasts(scenario, seed, day, network)
    seconds = [seconds_of_day(f, inputs.demand.first_day, day) for f in futures]

    def after(second: int) -> list[Orders]:
        return [
            take_orders(f, np.flatnonzero(s >= second))[0]
            for f, s in zip(futures, seconds, strict=True)
        ]

    return after
