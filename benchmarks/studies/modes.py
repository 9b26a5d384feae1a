"""Quality of the replay modes against hindsight on the sample network: a study of generated days
(``--seeds`` of them), every mode, and a table of the cost above hindsight with paired 95%
intervals, the share of online's gap each mode closes, and online_bid minus online.

    DOM_REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python benchmarks/studies/modes.py \
        --seeds 10 --workers 2 --out out/bench-modes

Writes ``results/modes.md`` (and the study folder under ``--out``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from dom.reports.stats import paired
from dom.studies import load_study, simulate
from dom.studies.parallel import executor_for

ROOT = Path(__file__).resolve().parents[2]
STUDY = """
name: modes-{seeds}
network: {network}
demand: {{orders_per_day: {orders}}}
days: 1
seeds: {seeds}
modes: [online, online_bid, batch, batch_bid, greedy]
batch: {{wave_hours: 4}}
pricing: {{resolves_per_day: {resolves}, forecasts: {forecasts}, passes: {passes}}}
work_limit: {work}
"""


def markdown(frame: pd.DataFrame) -> str:
    """A frame as a markdown table."""
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + " --- |" * len(frame.columns)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.to_numpy()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--orders", type=int, default=4000)
    parser.add_argument("--resolves", type=int, default=12)
    parser.add_argument("--forecasts", type=int, default=8)
    parser.add_argument("--passes", type=int, default=30)
    parser.add_argument("--work", type=int, default=2_000_000)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--network", default=str(ROOT / "data" / "sample" / "network"))
    parser.add_argument("--out", default=str(ROOT / "out" / "bench-modes"))
    parser.add_argument("--results", default=str(Path(__file__).parent / "results" / "modes.md"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out.parent / f"{out.name}.yaml"
    path.write_text(
        STUDY.format(
            seeds=args.seeds,
            network=args.network,
            orders=args.orders,
            resolves=args.resolves,
            forecasts=args.forecasts,
            passes=args.passes,
            work=args.work,
        )
    )
    study, _ = load_study(path)
    start = time.perf_counter()
    result = simulate(study, out, executor_for(study, args.workers))
    seconds = time.perf_counter() - start
    summary = result.summary.set_index(["scenario", "mode"]).loc["base"]
    kpis = result.kpis[result.kpis["scenario"] == "base"]
    cost = kpis.pivot_table(index="seed", columns="mode", values="total_cost", aggfunc="sum")
    rows = []
    for mode in study.modes:
        row = summary.loc[mode]
        diff = paired(list(cost[mode]), list(cost["online"]))
        rows.append(
            {
                "mode": mode,
                "total cost": f"{row['total_cost']:,.0f}",
                "above hindsight": f"{row['above_hindsight']:.2%} "
                f"[{row['above_hindsight_low']:.2%}, {row['above_hindsight_high']:.2%}]",
                "closes online's gap": ""
                if mode in ("online", "hindsight")
                else f"{row['online_gap_closed']:.0%} "
                f"[{row['online_gap_closed_low']:.0%}, {row['online_gap_closed_high']:.0%}]",
                "minus online": "" if mode == "online" else
                f"{diff.mean:,.0f} [{diff.low:,.0f}, {diff.high:,.0f}]",
                "fill rate": f"{row['fill_rate']:.2%}",
                "on-time": f"{row['on_time_rate']:.2%}",
            }
        )  # fmt: skip
    table = markdown(pd.DataFrame(rows))
    text = (
        f"# Replay modes against hindsight\n\n{args.seeds} seeds of {args.orders:,} generated "
        f"orders on {args.network}; bid prices re-solved {args.resolves} times a day, "
        f"{args.forecasts} sampled futures, {args.passes} passes; work limit {args.work:,}; "
        f"{seconds:.0f} s with {args.workers or 'no'} workers.\n\n"
        "Intervals are 95% Student t over seeds, paired by seed.\n\n" + table + "\n"
    )
    Path(args.results).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
