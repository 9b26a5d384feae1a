"""What a study is (contracts §9): its runs, scenarios as edits of the base, the sweep.

A :class:`Study` is plain checked data (``dom.studies.studyfile`` reads one from YAML), so it
travels to workers as a job's argument; every (scenario, mode, seed) of :meth:`Study.runs` is
one run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from dom.errors import InvalidInput

MODES = ("online", "online_bid", "batch", "batch_bid", "greedy", "hindsight")
REFERENCE = "hindsight"  # always run: the whole day at once, the reference
DEFAULT_MODES = ("online", "online_bid", "batch", "greedy", REFERENCE)
BASE = "base"  # the scenario every other is compared with
POLICY_KEYS = (
    "late_penalty_per_day",
    "backorder_penalty_per_unit",
    "split_penalty",
    "max_shipments_per_order",
)
SWEEP_PARAMETERS = (
    *(f"policy.{key}" for key in POLICY_KEYS),
    "demand.multiply",
    "inventory.multiply",
    "capacity.multiply",
    "rates.multiply",
    "promise.promised_days",
    "batch.wave_hours",
    "pricing.resolves_per_day",
)
MAX_DAYS = 366
MAX_SEEDS = 1000
MAX_MULTIPLIER = 1000.0
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class InvalidStudy(InvalidInput):
    """A study file holds something §9 does not allow; ``column`` is the key's dotted path."""

    def __str__(self) -> str:
        where = ", ".join(
            [
                *([str(self.file)] if self.file else []),
                *([f"key '{self.column}'"] if self.column else []),
            ]
        )
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} (fix: {self.fix})" if self.fix else text


@dataclass(frozen=True)
class BatchSpec:
    """Waves: orders of each ``wave_hours`` window allocated at once; ``bid_prices`` prices each
    wave for the rest of the day (mode ``batch``; ``batch_bid`` is always priced)."""

    wave_hours: float = 4.0
    bid_prices: bool = False


@dataclass(frozen=True)
class PricingSpec:
    """Bid prices (``online_bid``, priced waves): re-solved ``resolves_per_day`` times a day, each
    the mean over ``forecasts`` sampled rests of the day, each priced by ``passes`` exact passes."""

    resolves_per_day: int = 12
    forecasts: int = 8
    passes: int = 30


@dataclass(frozen=True)
class NodeEdit:
    """Changes to one node (``*``: every node); None leaves a field as it is."""

    enabled: bool | None = None
    capacity: float | None = None  # units a day; math.inf: unlimited
    capacity_multiply: float | None = None
    handling_cost: float | None = None
    processing_days: int | None = None


@dataclass(frozen=True)
class StockMove:
    """Move ``share`` of the stock at ``source`` to ``target`` (of ``skus``, or every SKU)."""

    source: str
    target: str
    share: float
    skus: tuple[str, ...] | None = None


@dataclass(frozen=True)
class RateEdit:
    """Multiply the prices of ``service`` (None: every service) in ``zone`` (None: every zone)."""

    multiply: float
    service: str | None = None
    zone: int | None = None


@dataclass(frozen=True)
class Scenario:
    """One what-if: edits of the base network and its demand (an empty scenario is the base)."""

    name: str
    nodes: Mapping[str, NodeEdit] = field(default_factory=dict)
    inventory: Mapping[str, float] = field(default_factory=dict)  # node (or *) -> multiplier
    moves: tuple[StockMove, ...] = ()
    rates: tuple[RateEdit, ...] = ()
    demand_multiply: float = 1.0
    promised_days: int | None = None  # every order promised this many days
    promised_at_most: int | None = None  # no order promised more than this
    policy: Mapping[str, float | int | None] = field(default_factory=dict)
    batch: BatchSpec | None = None  # the study's when None
    pricing: PricingSpec | None = None
    sweep_value: float | None = None  # the swept parameter's value for sweep scenarios


@dataclass(frozen=True)
class DemandSpec:
    """Generated days: ``orders_per_day`` drawn with the generator's shapes; ``seed`` varies the
    whole demand stream (replicates are the study's ``seeds``)."""

    orders_per_day: int
    seed: int = 0


@dataclass(frozen=True)
class Sweep:
    """One parameter of ``scenario`` swept over ``values`` under ``mode`` (the frontier)."""

    scenario: str
    mode: str
    parameter: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Study:
    """A checked study (contracts §9); paths are absolute."""

    name: str
    network: Path
    orders: Path | None
    demand: DemandSpec | None
    days: int
    seeds: tuple[int, ...]
    lead_days: int | None  # replenishment lead time; None: no restock
    modes: tuple[str, ...]  # hindsight last, always there
    batch: BatchSpec
    pricing: PricingSpec
    work_limit: int
    scenarios: tuple[Scenario, ...]  # base first
    sweep: Sweep | None = None
    source: Path | None = None

    def scenario(self, name: str) -> Scenario:
        for scenario in self.all_scenarios():
            if scenario.name == name:
                return scenario
        raise KeyError(name)

    def all_scenarios(self) -> tuple[Scenario, ...]:
        """The scenarios, then one per swept value."""
        return self.scenarios + sweep_scenarios(self)

    def runs(self) -> list[tuple[str, str, int]]:
        """Every (scenario, mode, seed) run: each scenario in every mode, each sweep value in
        the sweep's mode and the reference."""
        out = [(s.name, m, seed) for s in self.scenarios for m in self.modes for seed in self.seeds]
        for s in sweep_scenarios(self):
            assert self.sweep is not None
            modes = dict.fromkeys((self.sweep.mode, REFERENCE))
            out += [(s.name, m, seed) for m in modes for seed in self.seeds]
        return out

    def batch_of(self, scenario: Scenario) -> BatchSpec:
        return scenario.batch or self.batch

    def pricing_of(self, scenario: Scenario) -> PricingSpec:
        return scenario.pricing or self.pricing


def sweep_scenarios(study: Study) -> tuple[Scenario, ...]:
    """The sweep's scenarios, named ``sweep-<parameter>-<value>``."""
    sweep = study.sweep
    if sweep is None:
        return ()
    base = next(s for s in study.scenarios if s.name == sweep.scenario)
    key = sweep.parameter.split(".", 1)[1]
    return tuple(
        replace(
            _with_parameter(study, base, sweep.parameter, value),
            name=f"sweep-{key}-{value:g}",
            sweep_value=value,
        )
        for value in sweep.values
    )


def _with_parameter(study: Study, scenario: Scenario, parameter: str, value: float) -> Scenario:
    """``scenario`` with one sweep parameter set to ``value``."""
    group, key = parameter.split(".", 1)
    if group == "policy":
        whole = key == "max_shipments_per_order"
        return replace(scenario, policy={**scenario.policy, key: int(value) if whole else value})
    if group == "demand":
        return replace(scenario, demand_multiply=value)
    if group == "inventory":
        return replace(scenario, inventory={**scenario.inventory, "*": value})
    if group == "capacity":
        edit = replace(scenario.nodes.get("*", NodeEdit()), capacity_multiply=value)
        return replace(scenario, nodes={**scenario.nodes, "*": edit})
    if group == "rates":
        return replace(scenario, rates=(*scenario.rates, RateEdit(value)))
    if group == "promise":
        return replace(scenario, promised_days=int(value))
    if group == "batch":
        return replace(scenario, batch=replace(study.batch_of(scenario), wave_hours=value))
    pricing = replace(study.pricing_of(scenario), resolves_per_day=int(value))
    return replace(scenario, pricing=pricing)
