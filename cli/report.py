"""``dom report PLAN_DIR``: one self-contained page of a plan (contracts §9), the same
components as a study's report.html."""

from __future__ import annotations

from pathlib import Path

import typer

from dom.errors import InvalidInput


def register(app: typer.Typer) -> None:
    """Add ``report`` to the root app."""

    @app.command("report")
    def report_cmd(
        plan_dir: Path = typer.Argument(..., help="A plan folder (contracts §4)."),
        out: Path | None = typer.Option(
            None, "--out", help="The page (default PLAN_DIR/report.html)."
        ),
        network_dir: Path | None = typer.Option(None, "--network", help="The bundle, for the map."),
        orders_file: Path | None = typer.Option(None, "--orders", help="The orders, for the map."),
    ) -> None:
        """Write report.html of one plan: KPIs, cost by part, shipments by node and zone, and
        with --network and --orders the map of who serves whom."""
        from dom.io import load_network, load_orders
        from dom.reports.plan_page import write_plan_report

        if not plan_dir.is_dir():
            raise InvalidInput("is not a folder", file=str(plan_dir), fix="give a plan folder")
        if (network_dir is None) != (orders_file is None):
            raise InvalidInput(
                "--network and --orders go together", column="--orders",
                fix="give both for the map, or neither",
            )  # fmt: skip
        network = load_network(network_dir) if network_dir is not None else None
        orders = (
            load_orders(orders_file, network)
            if orders_file is not None and network is not None
            else None
        )
        typer.echo(str(write_plan_report(plan_dir, out, network, orders)))
