"""Speed of the online replay: a 20,000-order generated day on the sample network routed order
by order through dom.sourcing.Router against what is left (the ``online`` mode), and the same
day at re-solved bid prices excluded (that is the price search's time, not the loop's).

    .venv/bin/python benchmarks/studies/online_speed.py

Writes ``results/online_speed.md``.
"""

from __future__ import annotations

import time
from pathlib import Path

from dom.studies import load_study
from dom.studies.demand import seconds_of_day
from dom.studies.replay import Day, replay
from dom.studies.runs import inputs_for
from solvers import warm_up

ROOT = Path(__file__).resolve().parents[2]
STUDY = "name: speed\nnetwork: {network}\ndemand: {{orders_per_day: 20000}}\nmodes: [online]\n"


def main() -> None:
    out = ROOT / "out" / "bench-online-speed"
    out.mkdir(parents=True, exist_ok=True)
    path = out / "study.yaml"
    path.write_text(STUDY.format(network=ROOT / "data" / "sample" / "network"))
    study, _ = load_study(path)
    inputs = inputs_for(study)
    network, router, costs = inputs.scenario("base")
    orders = inputs.day_orders(study.scenario("base"), 1, 1, network)
    seconds = seconds_of_day(orders, inputs.demand.first_day, 1)
    day = Day(
        network, orders, seconds, lambda _: [], router, costs, study.work_limit, study.batch,
        study.pricing,
    )  # fmt: skip
    warm_up()
    replay("online", day)  # the Router's tables and caches, as a service has them warm
    times = []
    for _ in range(3):
        start = time.perf_counter()
        replayed = replay("online", day)
        times.append(time.perf_counter() - start)
    best = min(times)
    text = (
        "# The online replay of a 20,000-order day\n\n"
        f"{orders.num_orders:,} orders, {orders.num_lines:,} lines on the sample network, "
        "routed one by one through dom.sourcing.Router against the stock and capacity left, "
        "and the day's plan built (dom.plan.build_plan).\n\n"
        f"Best of 3: {best:.2f} s ({1000 * best / orders.num_orders:.3f} ms an order); all: "
        + ", ".join(f"{t:.2f}" for t in times)
        + f" s. Plan cost {replayed.plan.summary.total_cost:,.2f}.\n"
    )
    (Path(__file__).parent / "results" / "online_speed.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
