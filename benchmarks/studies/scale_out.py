"""Scale-out of a study on RQ workers: the same 40-run study on 1 and on 2 local workers (each on
one solver thread), side by side, and whether their kpis.csv are identical.

    DOM_REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python benchmarks/studies/scale_out.py

Writes ``results/scale_out.md``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from dom.studies import load_study, simulate
from dom.studies.parallel import RQExecutor

ROOT = Path(__file__).resolve().parents[2]
STUDY = """
name: scale-out
network: {network}
demand: {{orders_per_day: 3000}}
seeds: 10
modes: [online, batch, greedy]
work_limit: 1000000
"""


def main() -> None:
    url = os.environ["DOM_REDIS_URL"]
    out = ROOT / "out" / "bench-scale-out"
    out.mkdir(parents=True, exist_ok=True)
    path = out / "study.yaml"
    path.write_text(STUDY.format(network=ROOT / "data" / "sample" / "network"))
    study, _ = load_study(path)
    assert len(study.runs()) == 40
    seconds = {}
    for workers in (1, 2):
        start = time.perf_counter()
        simulate(study, out / f"workers-{workers}", RQExecutor(url, workers))
        seconds[workers] = time.perf_counter() - start
    same = (out / "workers-1" / "kpis.csv").read_bytes() == (
        out / "workers-2" / "kpis.csv"
    ).read_bytes()
    text = (
        "# A 40-run study on 1 and 2 RQ workers\n\n"
        "10 seeds x 4 modes (online, batch, greedy, hindsight) of 3,000 generated orders on the "
        "sample network; each worker one solver thread; 2 cores.\n\n"
        "| workers | seconds |\n| --- | --- |\n"
        f"| 1 | {seconds[1]:.1f} |\n| 2 | {seconds[2]:.1f} |\n\n"
        f"Speed-up {seconds[1] / seconds[2]:.2f}x; kpis.csv identical: {same}.\n"
    )
    (Path(__file__).parent / "results" / "scale_out.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
