"""A whole study: every run, the reference bound of each day, and the output folder
(contracts §9).

The runs go to an executor (in this process, or RQ workers: ``dom.studies.parallel``); a failed
run is kept with its error and the others go on. Then, for each (scenario, seed, day), the
reference bound: hindsight's proven bound, lowered where another mode opened that day with other
stock (a later day of a multi-day study) to the Lagrangian bound of that mode's own day at
hindsight's prices (``solvers.batch.lagrangian_bound``), so one bound holds for every mode's day.
Every plan of that day carries it as ``lower_bound``. Everything is written into a scratch folder
beside ``--out`` that then replaces it whole: a study that fails leaves nothing there, and a
study run again over an earlier one leaves none of the earlier files.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from dom.errors import DomError, InvalidInput
from dom.plan import Plan
from dom.studies.demand import with_promise
from dom.studies.runs import RunResult, StudyInputs, inputs_for, run
from dom.studies.scenario import write_scenario_network
from dom.studies.spec import REFERENCE, Study
from dom.studies.tables import frontier_rows, kpi_rows, summary_rows
from solvers import relative_gap
from solvers.batch import lagrangian_bound

RunKey = tuple[str, str, int]
Done = Callable[[RunResult], None]


class Executor(Protocol):
    """Runs a study's runs somewhere; calls ``done`` as each one ends."""

    def map(self, study: Study, runs: Sequence[RunKey], done: Done) -> list[RunResult]: ...


def safe_run(study: Study, scenario: str, mode: str, seed: int) -> RunResult:
    """:func:`dom.studies.runs.run`, with a failure kept as the run's error."""
    try:
        return run(study, scenario, mode, seed)
    except DomError as exc:
        return RunResult(scenario, mode, seed, error=str(exc))
    except Exception as exc:  # a run's bug must not end the others
        return RunResult(scenario, mode, seed, error=f"{type(exc).__name__}: {exc}")


class InProcess:
    """One run after another in this process."""

    def map(self, study: Study, runs: Sequence[RunKey], done: Done) -> list[RunResult]:
        results = []
        for key in runs:
            result = safe_run(study, *key)
            done(result)
            results.append(result)
        return results


# expected cost of a run by mode, to queue the longest first (measured: docs/studies.md)
MODE_WEIGHT = {"online_bid": 6.0, "batch_bid": 6.0, "hindsight": 2.0, "batch": 2.0,
               "online": 1.0, "greedy": 0.2}  # fmt: skip


def longest_first(study: Study) -> list[RunKey]:
    """The runs, the costliest first (mode weight x demand), ties in study order."""
    runs = study.runs()
    weight = {key: MODE_WEIGHT[key[1]] * study.scenario(key[0]).demand_multiply for key in runs}
    return sorted(runs, key=lambda key: -weight[key])


@dataclass(frozen=True)
class StudyResult:
    """Where the study was written, its tables and the failed runs."""

    out: Path
    kpis: pd.DataFrame
    summary: pd.DataFrame
    frontier: pd.DataFrame
    failures: list[RunResult]


def simulate(
    study: Study, out: str | Path, executor: Executor | None = None, done: Done | None = None
) -> StudyResult:
    """Run ``study`` and write its folder (contracts §9) to ``out``."""
    executor = executor or InProcess()
    results = executor.map(study, longest_first(study), done or (lambda _: None))
    by_key = {(r.scenario, r.mode, r.seed): r for r in results if r.error is None}
    inputs = inputs_for(study)
    plans = _with_reference_bounds(study, inputs, by_key)
    failures = [r for r in results if r.error is not None]
    kpis = kpi_rows(study, plans)
    summary = summary_rows(study, plans)
    frontier = frontier_rows(study, plans)
    out = Path(out)
    with _study_folder(out) as scratch:
        _write_inputs(study, inputs, scratch)
        for key, days in plans.items():
            scenario, mode, seed = key
            for result, plan in zip(by_key[key].days, days, strict=True):
                folder = scratch / "runs" / scenario / mode / str(seed) / f"day-{result.day}"
                plan.write(folder)
                _stock_table(inputs, scenario, result.opening).to_csv(
                    folder / "inventory.csv", index=False
                )
        kpis.to_csv(scratch / "kpis.csv", index=False)
        summary.to_csv(scratch / "summary.csv", index=False)
        if len(frontier):
            frontier.to_csv(scratch / "frontier.csv", index=False)
        if failures:
            pd.DataFrame(
                [
                    {"scenario": r.scenario, "mode": r.mode, "seed": r.seed, "error": r.error}
                    for r in failures
                ]
            ).to_csv(scratch / "failures.csv", index=False)
        from dom.reports.study_page import write_study_report

        write_study_report(scratch / "report.html", study, inputs, plans, kpis, summary,
                           frontier, failures)  # fmt: skip
    return StudyResult(out, kpis, summary, frontier, failures)


@contextlib.contextmanager
def _study_folder(out: Path) -> Iterator[Path]:
    """A scratch folder beside ``out`` that replaces ``out`` whole on a clean exit (an earlier
    study there goes, folders and all); on failure ``out`` is left as it was."""
    if out.exists() and not out.is_dir():
        raise InvalidInput("exists and is not a folder", file=str(out), fix="pass a folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        yield scratch
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    old = out.with_name(f".{out.name}.old-{uuid.uuid4().hex[:8]}")
    if out.exists():
        os.replace(out, old)
    os.replace(scratch, out)
    shutil.rmtree(old, ignore_errors=True)


def _with_reference_bounds(
    study: Study, inputs: StudyInputs, results: dict[RunKey, RunResult]
) -> dict[RunKey, list[Plan]]:
    """Every run's plans with the day's reference bound as ``lower_bound`` (and its gap)."""
    plans: dict[RunKey, list[Plan]] = {}
    for scenario, mode, seed in study.runs():
        if (scenario, mode, seed) not in results:
            continue
        reference = results.get((scenario, REFERENCE, seed))
        days = []
        for index, day in enumerate(results[(scenario, mode, seed)].days):
            bound = _reference_bound(study, inputs, results, scenario, seed, index, reference)
            days.append(_bounded(day.plan, bound))
        plans[(scenario, mode, seed)] = days
    return plans


def _reference_bound(
    study: Study,
    inputs: StudyInputs,
    results: dict[RunKey, RunResult],
    scenario: str,
    seed: int,
    index: int,
    reference: RunResult | None,
) -> float | None:
    if reference is None or index >= len(reference.days):
        return None
    ref_day = reference.days[index]
    bound = ref_day.plan.summary.lower_bound
    if bound is None or ref_day.prices is None:
        return bound
    network, _, costs = inputs.scenario(scenario)
    num_cells = network.num_nodes * network.num_skus
    price = ref_day.prices[:num_cells].reshape(network.num_nodes, network.num_skus)
    cap_price = ref_day.prices[num_cells:]
    orders = None
    for mode in study.modes:
        other = results.get((scenario, mode, seed))
        if other is None or index >= len(other.days):
            continue
        opening = other.days[index].opening
        if np.array_equal(opening, ref_day.opening):
            continue  # the same day: hindsight's own bound holds
        today = dataclasses.replace(network, on_hand=opening)
        if orders is None:
            orders = inputs.day_orders(study.scenario(scenario), seed, index + 1, today)
        inst, _ = costs.instance(orders, available=today.available(), capacity=today.capacity)
        bound = min(bound, lagrangian_bound(inst, price, cap_price))
    return bound


def _bounded(plan: Plan, bound: float | None) -> Plan:
    total = plan.summary.total_cost
    bound = None if bound is None else min(bound, total)
    summary = dataclasses.replace(plan.summary, lower_bound=bound, gap=relative_gap(total, bound))
    return Plan(plan.shipments, plan.lines, summary, plan.assign)


def _stock_table(inputs: StudyInputs, scenario: str, on_hand: np.ndarray) -> pd.DataFrame:
    """``inventory.csv`` (contracts §1) of a day's opening stock: the scenario's cells."""
    network, _, _ = inputs.scenario(scenario)
    cells = (network.on_hand != 0) | (network.safety_stock != 0) | (network.reorder_point >= 0)
    cells |= on_hand != 0
    node, sku = np.nonzero(cells)
    point = network.reorder_point[node, sku]
    return pd.DataFrame(
        {
            "fc_id": network.node_ids.astype(str)[node],
            "sku": network.sku_ids.astype(str)[sku],
            "on_hand": on_hand[node, sku],
            "safety_stock": network.safety_stock[node, sku],
            "reorder_point": np.where(point >= 0, point.astype(str), ""),
        }
    )


def study_json(study: Study) -> dict[str, Any]:
    """The checked study as JSON (paths as text), as written to ``study.json``."""

    def plain(value: Any) -> Any:
        if isinstance(value, Path):
            return str(value)
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        if isinstance(value, float) and not np.isfinite(value):
            return None
        return value

    return plain(dataclasses.asdict(study))  # type: ignore[no-any-return]


def _write_inputs(study: Study, inputs: StudyInputs, scratch: Path) -> None:
    """``study.json``, the study file, and per scenario its network and each day's orders."""
    (scratch / "study.json").write_text(json.dumps(study_json(study), indent=2) + "\n")
    if study.source is not None and study.source.is_file():
        shutil.copyfile(study.source, scratch / "study.yaml")
    for scenario in study.all_scenarios():
        folder = scratch / "scenarios" / scenario.name
        write_scenario_network(study.network, scenario, folder / "network")
        for seed in study.seeds:
            for day in range(1, study.days + 1):
                frame = inputs.demand.day(seed, day, scenario.demand_multiply)
                path = folder / "orders" / f"seed-{seed}" / f"day-{day}.csv"
                path.parent.mkdir(parents=True, exist_ok=True)
                with_promise(frame, scenario).to_csv(path, index=False)
