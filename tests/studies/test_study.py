"""A whole study: every KPI recomputed from the plan files, every plan checked, the reference
bound below every mode (the same bytes on a second run, on RQ workers: test_parallel.py)."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd

from dom.reports import KPI_COLUMNS
from dom.studies import load_study
from tests.plancheck import check_plan, recompute_kpis


def _run_dir(out: Path, row: pd.Series) -> Path:
    return out / "runs" / row["scenario"] / row["mode"] / str(row["seed"]) / f"day-{row['day']}"


def test_every_kpi_equals_the_one_recomputed_from_the_plan_files(
    small_study: Path, study_out: Path
) -> None:
    """kpis.csv, row by row, against tests/plancheck.py's reading of that run's files."""
    kpis = pd.read_csv(study_out / "kpis.csv")
    study, _ = load_study(small_study)
    assert len(kpis) == len(study.runs()) * study.days
    for _, row in kpis.iterrows():
        expected = recompute_kpis(_run_dir(study_out, row))
        for column in KPI_COLUMNS:
            want, got = expected[column], row[column]
            if want is None:
                assert pd.isna(got), (column, row.to_dict())
            else:
                assert math.isclose(float(got), float(want), rel_tol=1e-9, abs_tol=1e-9), (
                    column, row.to_dict(), want,
                )  # fmt: skip


def test_every_plan_is_feasible_and_priced_as_the_contract_says(
    study_out: Path, tmp_path: Path
) -> None:
    """tests/plancheck.py on each run-day: its scenario's bundle with that day's opening stock,
    and that day's orders."""
    kpis = pd.read_csv(study_out / "kpis.csv")
    for _, row in kpis.iterrows():
        bundle = tmp_path / "bundle"
        shutil.rmtree(bundle, ignore_errors=True)
        shutil.copytree(study_out / "scenarios" / row["scenario"] / "network", bundle)
        run = _run_dir(study_out, row)
        shutil.copyfile(run / "inventory.csv", bundle / "inventory.csv")
        orders = (
            study_out / "scenarios" / row["scenario"] / "orders" / f"seed-{row['seed']}"
            / f"day-{row['day']}.csv"
        )  # fmt: skip
        report = check_plan(bundle, orders, run)
        assert math.isclose(report.total_cost, row["total_cost"], rel_tol=1e-9)


def test_the_reference_bound_is_below_every_modes_cost(study_out: Path) -> None:
    """For each scenario, seed and day, hindsight's lower bound is at most every mode's cost."""
    kpis = pd.read_csv(study_out / "kpis.csv")
    hindsight = kpis[kpis["mode"] == "hindsight"].set_index(["scenario", "seed", "day"])
    for _, row in kpis.iterrows():
        bound = hindsight.loc[(row["scenario"], row["seed"], row["day"]), "lower_bound"]
        assert bound <= row["total_cost"] + 1e-6, row.to_dict()


def test_the_tables_hold_every_scenario_mode_and_the_sweep(study_out: Path) -> None:
    """summary.csv has a row per (scenario, mode) with intervals; frontier.csv one per value."""
    summary = pd.read_csv(study_out / "summary.csv")
    assert {"close", "surge", "move", "promise-2", "ground-plus-10"} <= set(summary["scenario"])
    base = summary[summary["scenario"] == "base"].set_index("mode")
    assert base.loc["hindsight", "above_hindsight"] == 0
    assert (summary["total_cost_low"] <= summary["total_cost"]).all()
    frontier = pd.read_csv(study_out / "frontier.csv")
    assert frontier["value"].tolist() == [0, 20]
    surge = summary[summary["scenario"] == "surge"].set_index("mode")
    assert (surge["orders_vs_base"] > 0).all()  # more orders, seed by seed
