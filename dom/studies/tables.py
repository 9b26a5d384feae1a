"""The study's tables: ``kpis.csv`` (one row per scenario, mode, seed and day), ``summary.csv``
(one row per scenario and mode: means, 95% intervals over seeds, paired differences against
``base`` and against ``hindsight``) and ``frontier.csv`` (the sweep).

Every number comes from :func:`dom.reports.kpis.plan_kpis` over the plan files' rows; a seed's
figure over several days is the KPI of all its days' plans together (a ratio of sums, not a mean
of ratios).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from dom.plan import Plan
from dom.reports.kpis import KPI_COLUMNS, KPIs, plan_kpis
from dom.reports.stats import Interval, interval, paired
from dom.studies.spec import BASE, REFERENCE, Study

# a run's plans, by (scenario, mode, seed): one per day, in day order
Plans = Mapping[tuple[str, str, int], Sequence[Plan]]
KEY_COLUMNS = ("scenario", "mode", "seed", "day")


def _kpis(plans: Sequence[Plan]) -> KPIs:
    return plan_kpis(
        pd.concat([p.shipments for p in plans], ignore_index=True),
        pd.concat([p.lines for p in plans], ignore_index=True),
        [p.summary.to_json() for p in plans],
    )


def kpi_rows(study: Study, plans: Plans) -> pd.DataFrame:
    """``kpis.csv``: runs in the study's order, days in order."""
    rows = []
    for scenario, mode, seed in study.runs():
        for day, plan in enumerate(plans.get((scenario, mode, seed), ()), start=1):
            rows.append({"scenario": scenario, "mode": mode, "seed": seed, "day": day,
                         **_kpis([plan])})  # fmt: skip
    return pd.DataFrame(rows, columns=[*KEY_COLUMNS, *KPI_COLUMNS])


@dataclass(frozen=True)
class SeedKpis:
    """Per (scenario, mode): each seed's KPIs over all days, in the study's seed order."""

    by_run: dict[tuple[str, str], list[KPIs | None]]

    def values(self, scenario: str, mode: str, kpi: str) -> list[float | None]:
        runs = self.by_run.get((scenario, mode))
        if runs is None:
            return []
        return [None if k is None else _number(k[kpi]) for k in runs]


def _number(value: float | int | None) -> float | None:
    return None if value is None else float(value)


def seed_kpis(study: Study, plans: Plans) -> SeedKpis:
    out: dict[tuple[str, str], list[KPIs | None]] = {}
    for scenario, mode, seed in study.runs():
        days = plans.get((scenario, mode, seed))
        out.setdefault((scenario, mode), []).append(_kpis(days) if days else None)
    return SeedKpis(out)


def _columns(prefix: str, iv: Interval) -> dict[str, float | None]:
    return {prefix: iv.mean, f"{prefix}_low": iv.low, f"{prefix}_high": iv.high}


def above_reference(seeds: SeedKpis, scenario: str, mode: str) -> Interval:
    """Cost above hindsight, relative to it, seed by seed."""
    own = seeds.values(scenario, mode, "total_cost")
    ref = seeds.values(scenario, REFERENCE, "total_cost")
    rel = [
        None if a is None or r is None or r == 0 else (a - r) / r
        for a, r in zip(own, ref, strict=True)
    ]
    return interval(rel)


def gap_closed(seeds: SeedKpis, scenario: str, mode: str) -> Interval:
    """Share of the gap between ``online`` and hindsight that ``mode`` closes, seed by seed."""
    online = seeds.values(scenario, "online", "total_cost")
    own = seeds.values(scenario, mode, "total_cost")
    ref = seeds.values(scenario, REFERENCE, "total_cost")
    if not online:
        return Interval(None, None, None, 0)
    shares = [
        None if o is None or a is None or r is None or o - r <= 0 else (o - a) / (o - r)
        for o, a, r in zip(online, own, ref, strict=True)
    ]
    return interval(shares)


def summary_rows(study: Study, plans: Plans) -> pd.DataFrame:
    """``summary.csv``: per (scenario, mode), each KPI's mean and interval over seeds, its paired
    difference against the same mode in ``base``, and the cost above hindsight."""
    seeds = seed_kpis(study, plans)
    rows = []
    for scenario, mode in seeds.by_run:
        row: dict[str, object] = {"scenario": scenario, "mode": mode}
        row["seeds"] = sum(k is not None for k in seeds.by_run[(scenario, mode)])
        for kpi in KPI_COLUMNS:
            values = seeds.values(scenario, mode, kpi)
            row.update(_columns(kpi, interval(values)))
            if (BASE, mode) in seeds.by_run:
                base = seeds.values(BASE, mode, kpi)
                row.update(_columns(f"{kpi}_vs_base", paired(values, base)))
        row.update(_columns("above_hindsight", above_reference(seeds, scenario, mode)))
        row.update(_columns("online_gap_closed", gap_closed(seeds, scenario, mode)))
        rows.append(row)
    return pd.DataFrame(rows)


FRONTIER_KPIS = ("total_cost", "spend", "on_time_rate", "shipments_per_order", "fill_rate")


def frontier_rows(study: Study, plans: Plans) -> pd.DataFrame:
    """``frontier.csv``: per swept value, the mean and interval of the total cost, the spend
    (shipping + handling: what carriers and nodes are paid), the on-time rate, shipments per
    order and fill rate."""
    sweep = study.sweep
    if sweep is None:
        return pd.DataFrame()
    seeds = seed_kpis(study, plans)
    rows = []
    for scenario in study.all_scenarios():
        if scenario.sweep_value is None:
            continue
        row: dict[str, object] = {
            "parameter": sweep.parameter,
            "value": scenario.sweep_value,
            "scenario": scenario.name,
            "mode": sweep.mode,
        }
        for kpi in FRONTIER_KPIS:
            if kpi == "spend":
                ship = seeds.values(scenario.name, sweep.mode, "shipping_cost")
                hand = seeds.values(scenario.name, sweep.mode, "handling_cost")
                values = [
                    None if a is None or b is None else a + b
                    for a, b in zip(ship, hand, strict=True)
                ]
            else:
                values = seeds.values(scenario.name, sweep.mode, kpi)
            row.update(_columns(kpi, interval(values)))
        rows.append(row)
    return pd.DataFrame(rows)
