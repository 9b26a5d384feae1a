"""Scale: a 100,000-order day on 50 nodes and 10,000 SKUs allocated within a time limit.

    python benchmarks/allocation/scale.py                        # the must-show, ~2 minutes
    python benchmarks/allocation/scale.py --orders 5000 --nodes 12 --skus 1000 --time-limit 10

The day is drawn by ``dom data generate`` in a child process (so the generator's memory does not
count), then this process loads it and runs ``allocate(..., stop=MaxRuntime(...))`` as ``dom
allocate`` would. Prints and writes (``results/scale.{csv,md}``, or ``--name``) the wall
time of load and allocation, the proven gap, the peak resident memory of this process
(``resource.getrusage``, measured before anything else runs) and the greedy baseline's cost and %
above ours. With ``--check`` the plan is also written and recomputed by ``tests/plancheck.py``.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from alloc_bench import RESULTS, Named, checked_summary, pct_above, write_table

from dom.allocation import allocate
from dom.io import load_network, load_orders
from solvers import MaxRuntime


def _peak_mb() -> float:
    """Peak resident set size of this process so far, MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _generate(folder: Path, args: argparse.Namespace) -> None:
    if (folder / "orders.csv").is_file():
        return
    # the console script beside this interpreter first: an unactivated venv has it there
    exe = shutil.which("dom", path=str(Path(sys.executable).parent)) or shutil.which("dom")
    if exe is None:
        sys.exit("the dom console script is not installed: pip install -e .")
    subprocess.run(
        [exe, "data", "generate", "--out", str(folder), "--nodes", str(args.nodes),
         "--skus", str(args.skus), "--orders", str(args.orders), "--seed", str(args.seed),
         "--stock-cover", str(args.stock_cover), "--capacity-cover", str(args.capacity_cover)],
        check=True,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--nodes", type=int, default=50)
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stock-cover", type=float, default=1.1)
    parser.add_argument("--capacity-cover", type=float, default=1.25)
    parser.add_argument("--time-limit", type=float, default=55.0)
    parser.add_argument("--check", action="store_true", help="write and check the plan too")
    parser.add_argument("--work", type=Path, default=None, help="keep the generated day here")
    parser.add_argument("--name", default="scale", help="results file stem")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dom-scale-") as tmp:
        folder = args.work or Path(tmp) / "day"
        _generate(folder, args)
        started = time.perf_counter()
        network = load_network(folder)
        orders = load_orders(folder / "orders.csv", network)
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        ours = allocate(network, orders, method="default", stop=MaxRuntime(args.time_limit))
        allocate_s = time.perf_counter() - started
        peak_mb = _peak_mb()
        base = allocate(network, orders, method="greedy")
        checked = "not run"
        if args.check:
            day = Named("scale", folder, folder / "orders.csv")
            checked_summary(ours, day, Path(tmp) / "plan")
            checked = "passed"
    row = {
        "orders": orders.num_orders,
        "lines": orders.num_lines,
        "nodes": network.num_nodes,
        "skus": network.num_skus,
        "time limit s": args.time_limit,
        "load s": load_s,
        "allocate s": allocate_s,
        "status": ours.status.value,
        "total cost": ours.total_cost,
        "lower bound": ours.lower_bound,
        "gap %": None if ours.gap is None else 100 * ours.gap,
        "peak MB": peak_mb,
        "exact passes": ours.stats.get("iterations", 0),
        "master steps": ours.stats.get("master_steps", 0),
        "LNS moves": ours.stats.get("lns_moves", 0),
        "greedy cost": base.total_cost,
        "greedy % above ours": pct_above(base.total_cost, ours.total_cost),
        "plan check": checked,
    }
    notes = (
        f"Generated day seed {args.seed}, stock cover {args.stock_cover:g}, capacity cover "
        f"{args.capacity_cover:g}. allocate s includes building the instance and the plan; peak "
        f"MB is this process after allocate (load included). Command: python {' '.join(sys.argv)}"
    )
    write_table(pd.DataFrame([row]), args.name, RESULTS, notes)


if __name__ == "__main__":
    main()
