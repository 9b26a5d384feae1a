"""Shared parts of the allocation benchmarks: named instances, plan checks and result tables.

Generated instances are drawn by ``dom.generate.generate`` into a work folder once and reused
(the generator is deterministic for its arguments, which name the folder).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dom.allocation import AllocationResult
from dom.generate import GeneratorParams, generate

ROOT = Path(__file__).resolve().parents[2]
RESULTS = Path(__file__).resolve().parent / "results"
SAMPLE = ROOT / "data" / "sample"
if str(ROOT) not in sys.path:  # the independent plan checker lives with the tests
    sys.path.insert(0, str(ROOT))

from tests.plancheck import check_plan  # noqa: E402


@dataclass(frozen=True)
class Named:
    """A network bundle and its orders file, with a name for the tables."""

    name: str
    network_dir: Path
    orders_path: Path


def sample_day() -> Named:
    """The embedded sample: 12 nodes in US cities, 2,000 SKUs, 4,000 orders."""
    return Named("sample day", SAMPLE / "network", SAMPLE / "orders.csv")


def generated(work: Path, params: GeneratorParams) -> Named:
    """A generated instance in ``work``, drawn on first use."""
    p = params
    tag = f"o{p.orders}-n{p.nodes}-s{p.skus}-seed{p.seed}"
    tag += f"-sc{p.stock_cover:g}-cc{p.capacity_cover:g}"
    folder = work / tag
    if not (folder / "orders.csv").is_file():
        generate(folder, params)
    return Named(tag, folder, folder / "orders.csv")


def checked_summary(run: AllocationResult, instance: Named, plan_dir: Path) -> dict:
    """Write the plan, recompute it with the independent checker, return its summary."""
    run.plan.write(plan_dir)
    report = check_plan(instance.network_dir, instance.orders_path, plan_dir)
    summary = run.plan.summary.to_json()
    assert abs(report.total_cost - summary["total_cost"]) <= 1e-6 * max(1.0, report.total_cost)
    return summary


def pct_above(cost: float, reference: float | None) -> float | None:
    """100 * (cost / reference - 1), or None without a reference."""
    if reference is None or reference <= 0:
        return None
    return 100.0 * (cost / reference - 1.0)


def markdown(df: pd.DataFrame) -> str:
    """A pipe table; floats with three decimals, missing values as '-'."""

    def cell(v: object) -> str:
        if v is None or (isinstance(v, float) and v != v):
            return "-"
        if isinstance(v, float):
            return f"{v:,.3f}"
        return str(v)

    rows = ["| " + " | ".join(map(str, df.columns)) + " |", "|" + " --- |" * len(df.columns)]
    rows += ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(rows) + "\n"


def write_table(df: pd.DataFrame, name: str, out: Path, notes: str = "") -> None:
    """``out/name.csv`` and ``out/name.md`` (with ``notes`` under the table); prints the table."""
    out.mkdir(parents=True, exist_ok=True)
    df.to_csv(out / f"{name}.csv", index=False)
    text = f"## {name}\n\n{markdown(df)}" + (f"\n{notes}\n" if notes else "")
    (out / f"{name}.md").write_text(text)
    print(f"\n{text}", flush=True)
