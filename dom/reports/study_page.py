"""``report.html`` of a study: what was run, each mode against hindsight, each scenario against
base, the cost breakdown, the frontier and who serves whom, on one self-contained page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dom.plan import Plan
from dom.reports import figures
from dom.reports.kpis import COST_PARTS
from dom.reports.page import Section, Table, money, render_page, with_interval
from dom.reports.stats import METHOD
from dom.studies.runs import RunResult, StudyInputs
from dom.studies.spec import BASE, REFERENCE, Scenario, Study

SCALE_OUT = (
    "Runs are independent jobs, one per (scenario, mode, seed). With DOM_REDIS_URL set, "
    "dom simulate queues them on Redis (longest first) and RQ workers take them: K workers on "
    "K machines share one Redis by pointing DOM_REDIS_URL at it and running "
    "'dom study-worker' (or letting dom simulate --workers K start them locally); each "
    "worker needs the study's input files at the same paths (a shared volume or the same "
    "checkout), loads them once, and sends its plans back through Redis; dom simulate writes "
    "every file. Seeds fix every random stream, so the tables are the same whichever worker "
    "ran what."
)


def _get(row: Mapping[Any, Any], key: str) -> float | None:
    value = row.get(key)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return float(value)


def _iv(row: Mapping[Any, Any], key: str, form: str) -> str:
    return with_interval(_get(row, key), _get(row, f"{key}_low"), _get(row, f"{key}_high"), form)


def _edits(scenario: Scenario) -> str:
    parts = []
    for node, edit in scenario.nodes.items():
        changes = {k: v for k, v in vars(edit).items() if v is not None}
        parts.append(f"{node}: {changes}")
    parts += [f"stock at {n} x{m:g}" for n, m in scenario.inventory.items()]
    parts += [f"move {m.share:.0%} {m.source} -> {m.target}" for m in scenario.moves]
    parts += [
        f"rates {r.service or 'all'} zone {r.zone or 'all'} x{r.multiply:g}" for r in scenario.rates
    ]
    if scenario.demand_multiply != 1:
        parts.append(f"demand x{scenario.demand_multiply:g}")
    if scenario.promised_days is not None:
        parts.append(f"promise {scenario.promised_days} days")
    if scenario.promised_at_most is not None:
        parts.append(f"promise at most {scenario.promised_at_most} days")
    parts += [f"{k} = {v}" for k, v in scenario.policy.items()]
    return "; ".join(parts) or "the base network and demand"


def _study_section(study: Study, failures: Sequence[RunResult]) -> Section:
    demand = (
        f"{study.demand.orders_per_day:,} generated orders a day"
        if study.demand is not None and study.orders is None
        else f"orders of {study.orders.name}"
        if study.orders is not None
        else ""
    )
    rows = [
        ["network", str(study.network)],
        ["demand", demand],
        ["days x seeds", f"{study.days} x {len(study.seeds)} ({', '.join(map(str, study.seeds))})"],
        ["modes", ", ".join(study.modes)],
        ["replenishment", "none" if study.lead_days is None else f"lead {study.lead_days} days"],
        ["waves", f"every {study.batch.wave_hours:g} h, bid prices {study.batch.bid_prices}"],
        ["bid prices", f"re-solved {study.pricing.resolves_per_day} times a day, mean of "
                       f"{study.pricing.forecasts} sampled futures, {study.pricing.passes} passes"],
        ["work limit", f"{study.work_limit:,} single-order solves per solve"],
    ]  # fmt: skip
    scenarios = [[s.name, _edits(s)] for s in study.all_scenarios()]
    tables = [
        Table(["setting", "value"], rows, "Settings"),
        Table(["scenario", "edits"], scenarios, "Scenarios"),
    ]
    if failures:
        tables.append(
            Table(
                ["scenario", "mode", "seed", "error"],
                [[f.scenario, f.mode, str(f.seed), f.error or ""] for f in failures],
                "Failed runs (left out of every table)",
                text_columns=4,
            )
        )
    return Section(f"Study {study.name}", "", tables, notes=[f"Statistics: {METHOD}.", SCALE_OUT])


def _reference_section(summary: pd.DataFrame) -> Section:
    columns = [
        "scenario", "mode", "total cost", "above hindsight", "closes online's gap", "fill rate",
        "on-time rate", "shipments / order", "mean zone", "lower bound",
    ]  # fmt: skip
    rows, labels, mean, low, high = [], [], [], [], []
    for row in summary.to_dict("records"):
        rows.append([
            row["scenario"], row["mode"], _iv(row, "total_cost", "money"),
            _iv(row, "above_hindsight", "share"),
            "" if row["mode"] in ("online", REFERENCE) else _iv(row, "online_gap_closed", "share"),
            _iv(row, "fill_rate", "share"), _iv(row, "on_time_rate", "share"),
            _iv(row, "shipments_per_order", "number"), _iv(row, "mean_zone", "number"),
            money(_get(row, "lower_bound")),
        ])  # fmt: skip
        if row["mode"] != REFERENCE:
            labels.append(f"{row['scenario']}/{row['mode']}")
            mean.append(_get(row, "above_hindsight"))
            low.append(_get(row, "above_hindsight_low"))
            high.append(_get(row, "above_hindsight_high"))
    figs = []
    if labels:
        title = "Cost above hindsight (95% interval)"
        figs.append(figures.interval_bars(labels, mean, low, high, title, "% above"))
    intro = (
        "Per scenario and mode, the mean over seeds of each seed's KPIs (all days together) with "
        "its 95% interval. 'Above hindsight' is (cost - hindsight's cost) / hindsight's cost, "
        "seed by seed; 'closes online's gap' is (online - mode) / (online - hindsight), seed by "
        "seed. The lower bound is proven: no plan of those days can cost less."
    )
    return Section(
        "Each mode against hindsight", intro, [Table(columns, rows, text_columns=2)], figs
    )


def _base_section(summary: pd.DataFrame) -> Section | None:
    others = summary[summary["scenario"] != BASE]
    if "total_cost_vs_base" not in summary or others.empty:
        return None
    columns = ["scenario", "mode", "total cost", "shipping", "fill rate", "on-time rate",
               "shipments / order", "late shipments"]  # fmt: skip
    rows = [
        [row["scenario"], row["mode"], _iv(row, "total_cost_vs_base", "money"),
         _iv(row, "shipping_cost_vs_base", "money"), _iv(row, "fill_rate_vs_base", "share"),
         _iv(row, "on_time_rate_vs_base", "share"),
         _iv(row, "shipments_per_order_vs_base", "number"),
         _iv(row, "late_shipments_vs_base", "number")]
        for row in others.to_dict("records")
    ]  # fmt: skip
    intro = (
        "Each scenario minus base, in the same mode, seed by seed (the same demand): the mean "
        "difference and its 95% interval. An interval that excludes zero is a difference the "
        "seeds agree on."
    )
    return Section("Each scenario against base", intro, [Table(columns, rows, text_columns=2)])


def _breakdown_section(study: Study, summary: pd.DataFrame) -> Section:
    figs = []
    for scenario in [s.name for s in study.all_scenarios()]:
        part = summary[summary["scenario"] == scenario]
        if part.empty:
            continue
        parts = {p: [_get(r, p) or 0.0 for r in part.to_dict("records")] for p in COST_PARTS}
        figs.append(figures.cost_bars(list(part["mode"]), parts, f"{scenario}: cost per seed"))
    return Section("Cost breakdown", "Mean cost per seed by part, per mode.", figures=figs)


def _frontier_section(study: Study, frontier: pd.DataFrame) -> Section | None:
    if study.sweep is None or frontier.empty:
        return None
    records = frontier.to_dict("records")
    columns = [study.sweep.parameter, "total cost", "spend", "on-time rate", "shipments / order",
               "fill rate"]  # fmt: skip
    rows = [
        [f"{r['value']:g}", _iv(r, "total_cost", "money"), _iv(r, "spend", "money"),
         _iv(r, "on_time_rate", "share"), _iv(r, "shipments_per_order", "number"),
         _iv(r, "fill_rate", "share")]
        for r in records
    ]  # fmt: skip
    fig = figures.frontier(
        [r["value"] for r in records],
        [_get(r, "spend") for r in records],
        [_get(r, "on_time_rate") for r in records],
        [_get(r, "shipments_per_order") for r in records],
        study.sweep.parameter,
    )
    intro = (
        f"{study.sweep.parameter} swept in scenario {study.sweep.scenario}, mode "
        f"{study.sweep.mode}: what the carriers and nodes are paid (spend) against the service "
        "it buys."
    )
    return Section("Frontier", intro, [Table(columns, rows)], [fig])


def _map_section(
    study: Study, inputs: StudyInputs, plans: Mapping[tuple[str, str, int], Sequence[Plan]]
) -> Section:
    figs = []
    seed = study.seeds[0]
    for scenario in study.all_scenarios():
        mode = REFERENCE if (scenario.name, REFERENCE, seed) in plans else None
        if mode is None:
            continue
        plan = plans[(scenario.name, mode, seed)][0]
        network, _, _ = inputs.scenario(scenario.name)
        orders = inputs.day_orders(scenario, seed, 1, network)
        order_of_line = np.repeat(np.arange(orders.num_orders), np.diff(orders.line_ptr))
        node = np.full(orders.num_orders, -1, np.int64)
        shipped = plan.assign >= 0
        node[order_of_line[shipped]] = plan.assign[shipped]  # an order's last shipping node
        figs.append(
            figures.service_map(
                network.node_ids.astype(str).tolist(),
                network.lat,
                network.lon,
                orders.dest_lat,
                orders.dest_lon,
                node,
                f"{scenario.name}: hindsight, seed {seed}, day 1",
            )
        )
    intro = "Destinations coloured by the node that ships to them (hindsight's plan)."
    return Section("Who serves whom", intro, figures=figs)


def study_sections(
    study: Study,
    inputs: StudyInputs,
    plans: Mapping[tuple[str, str, int], Sequence[Plan]],
    summary: pd.DataFrame,
    frontier: pd.DataFrame,
    failures: Sequence[RunResult],
) -> list[Section]:
    sections = [_study_section(study, failures)]
    if not summary.empty:
        sections.append(_reference_section(summary))
        base = _base_section(summary)
        if base is not None:
            sections.append(base)
        sections.append(_breakdown_section(study, summary))
    front = _frontier_section(study, frontier)
    if front is not None:
        sections.append(front)
    sections.append(_map_section(study, inputs, plans))
    return sections


def write_study_report(
    path: Path,
    study: Study,
    inputs: StudyInputs,
    plans: Mapping[tuple[str, str, int], Sequence[Plan]],
    kpis: pd.DataFrame,
    summary: pd.DataFrame,
    frontier: pd.DataFrame,
    failures: Sequence[RunResult],
) -> Path:
    """Write ``report.html`` of a study."""
    runs = len(study.runs())
    subtitle = (
        f"{runs} runs ({runs - len(failures)} finished), {len(kpis)} run-days; "
        "every figure is recomputable from the plan files under runs/"
    )
    sections = study_sections(study, inputs, plans, summary, frontier, failures)
    path.write_text(
        render_page(f"What-if study: {study.name}", subtitle, sections), encoding="utf-8"
    )
    return path
