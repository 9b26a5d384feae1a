"""``dom allocate``, ``dom route`` and ``dom demo``: the allocation engine from the shell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dom.errors import InvalidInput
from solvers.stop import GapBelow, MaxRuntime, MaxWork, StoppingCriterion

if TYPE_CHECKING:  # the solvers and loaders load inside the commands that use them
    from dom.allocation import AllocationResult
    from dom.model import Network, Orders

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
_console = Console(stderr=True)


def _check_choice(value: str, choices: tuple[str, ...], option: str) -> None:
    if value not in choices:
        raise InvalidInput(
            f"unknown value {value!r} for {option}", fix=f"use one of: {', '.join(choices)}"
        )


def _run(
    network: Network,
    orders: Orders,
    method: str,
    stop: StoppingCriterion,
    quiet: bool = False,
    seed: int = 0,
) -> AllocationResult:
    """Allocate, with a progress bar on stderr unless ``quiet``; the same search either way."""
    from dom.allocation import allocate
    from solvers import warm_up

    if quiet:
        return allocate(network, orders, method=method, stop=stop, seed=seed)
    with _console.status("preparing the solver kernels (compiled on first use, then cached)"):
        warm_up()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        console=_console,
        transient=True,
    ) as bar:
        task = bar.add_task(f"{method} on {orders.num_orders:,} orders", total=1.0, status="")

        def progress(fraction: float, message: str) -> None:
            bar.update(task, completed=fraction, status=message)

        return allocate(network, orders, method=method, stop=stop, seed=seed, progress=progress)


def _stop(time_limit: float, work_limit: int | None, gap: float | None = None) -> StoppingCriterion:
    """The stop of ``--time-limit``, ``--work-limit`` and ``--gap``, checked."""
    if not time_limit > 0:
        raise InvalidInput(f"--time-limit must be positive, got {time_limit}", fix="e.g. 60")
    if work_limit is not None and work_limit < 1:
        raise InvalidInput(f"--work-limit must be at least 1, got {work_limit}", fix="e.g. 2000000")
    if gap is not None and not 0 <= gap < 1:
        raise InvalidInput(f"--gap must be from 0 to below 1, got {gap}", fix="e.g. 0.01 for 1%")
    stop: StoppingCriterion = MaxRuntime(time_limit)
    if work_limit is not None:
        stop = stop | MaxWork(work_limit)
    return stop if gap is None else stop | GapBelow(gap)


def register(app: typer.Typer) -> None:
    """Add ``allocate``, ``route`` and ``demo`` to the root app."""

    @app.command("allocate")
    def allocate_cmd(
        network_dir: Path = typer.Argument(..., help="Network bundle folder (contracts §1)."),
        orders_file: Path = typer.Argument(..., help="orders.csv or .parquet (contracts §2)."),
        out: Path = typer.Option(..., "--out", help="Folder for the plan files."),
        time_limit: float = typer.Option(60.0, "--time-limit", help="Seconds to search."),
        method: str = typer.Option(
            "default", "--method", help="default, lagrangian, exact or greedy."
        ),
        fmt: str = typer.Option("csv", "--format", help="Plan file format: csv or parquet."),
        quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
        seed: int = typer.Option(0, "--seed", min=0, help="Seed of the search's random moves."),
        gap: float | None = typer.Option(
            None, "--gap", help="Stop once the proven gap is at most this (0.01 is 1%)."
        ),
        work_limit: int | None = typer.Option(
            None,
            "--work-limit",
            help="Stop after this many single-order solves instead of on the clock: the same "
            "input then gives the same plan on any machine (--time-limit stays a cap).",
        ),
    ) -> None:
        """Allocate a batch of orders; write shipments, lines and summary.json to OUT."""
        from dom.allocation import METHODS
        from dom.io import load_network, load_orders
        from dom.plan import PLAN_FORMATS

        _check_choice(method, METHODS, "--method")
        _check_choice(fmt, PLAN_FORMATS, "--format")
        stop = _stop(time_limit, work_limit, gap)
        network = load_network(network_dir)
        orders = load_orders(orders_file, network)
        run = _run(network, orders, method, stop, quiet, seed)
        run.plan.write(out, fmt)
        typer.echo(json.dumps(run.plan.summary.to_json()))

    @app.command("route")
    def route_cmd(
        network_dir: Path = typer.Argument(..., help="Network bundle folder (contracts §1)."),
        order_file: Path = typer.Argument(..., help="One order as JSON (contracts §2)."),
    ) -> None:
        """Route one order against the bundle's stock; print the plan as JSON."""
        from dom.io import load_network, load_order_json
        from dom.sourcing import Router

        network = load_network(network_dir)
        order = load_order_json(order_file, network)
        typer.echo(json.dumps(Router(network).route(order).to_json()))

    @app.command("demo")
    def demo_cmd(
        out: Path = typer.Option(Path("out/demo"), "--out", help="Folder for plans and map."),
        time_limit: float = typer.Option(30.0, "--time-limit", help="Seconds for the optimizer."),
    ) -> None:
        """Allocate the sample day with the optimizer and the greedy baseline; compare them."""
        from dom.io import load_network, load_orders
        from dom.pictures import plot_service_map

        network = load_network(SAMPLE / "network")
        orders = load_orders(SAMPLE / "orders.csv", network)
        console = Console()
        console.print(
            f"[bold]Sample day[/]: {orders.num_orders:,} orders, {orders.num_lines:,} lines, "
            f"{network.num_nodes} nodes, {network.num_skus:,} SKUs"
        )
        stop = _stop(time_limit, None)
        ours = _run(network, orders, "default", stop)
        base = _run(network, orders, "greedy", stop)
        ours.plan.write(out / "optimized")
        base.plan.write(out / "greedy")
        picture = plot_service_map(
            network, orders, ours.plan.assign, out / "service_map.png",
            title=f"Sample day, optimized plan: total cost {ours.total_cost:,.0f}",
        )  # fmt: skip
        console.print(kpi_table(ours, base))
        console.print(f"Plans: {out / 'optimized'}, {out / 'greedy'}   Map: {picture}")


def kpi_table(ours: AllocationResult, base: AllocationResult) -> Table:
    """The demo's side-by-side KPIs of two plans."""
    rows = [
        ("total cost", "total_cost", "{:,.2f}"),
        ("shipping cost", "shipping_cost", "{:,.2f}"),
        ("handling", "handling_cost", "{:,.2f}"),
        ("late penalty", "late_penalty", "{:,.2f}"),
        ("split penalty", "split_penalty", "{:,.2f}"),
        ("backorder penalty", "backorder_penalty", "{:,.2f}"),
        ("shipments", "shipments", "{:,}"),
        ("late shipments", "late_shipments", "{:,}"),
        ("units unfilled", "units_unfilled", "{:,}"),
    ]
    table = Table(title="Optimized vs greedy (rule-based) routing")
    table.add_column("KPI")
    table.add_column("optimized", justify="right")
    table.add_column("greedy", justify="right")
    table.add_column("change", justify="right")
    a, b = ours.plan.summary.to_json(), base.plan.summary.to_json()
    for label, key, form in rows:
        change = (a[key] - b[key]) / b[key] if b[key] else 0.0
        table.add_row(label, form.format(a[key]), form.format(b[key]), f"{change:+.1%}")
    per_order_a = a["shipments"] / max(a["orders"], 1)
    per_order_b = b["shipments"] / max(b["orders"], 1)
    table.add_row("shipments per order", f"{per_order_a:.3f}", f"{per_order_b:.3f}", "")
    bound = a["lower_bound"]
    table.add_row(
        "proven lower bound", f"{bound:,.2f}" if bound is not None else "-", "-",
        f"gap {a['gap']:.2%}" if a["gap"] is not None else "",
    )  # fmt: skip
    table.add_row("solve seconds", f"{a['solve_seconds']:.1f}", f"{b['solve_seconds']:.2f}", "")

    return table
