"""``dom data``: draw network bundles and days of orders on real US geography."""

from __future__ import annotations

from pathlib import Path

import typer

from dom import generate as gen


def register(app: typer.Typer) -> None:
    """Add the ``data`` sub-app (``generate``, ``sample``) to the root app."""
    data_app = typer.Typer(
        name="data", help="Generate network bundles and orders.", no_args_is_help=True
    )

    @data_app.command("generate")
    def generate(
        out: Path = typer.Option(..., "--out", help="Folder for the bundle files and orders.csv."),
        nodes: int = typer.Option(gen.SAMPLE_NODES, "--nodes", help="Fulfillment nodes."),
        skus: int = typer.Option(gen.SAMPLE_SKUS, "--skus", help="SKUs in the catalogue."),
        orders: int = typer.Option(gen.SAMPLE_ORDERS, "--orders", help="Orders in the day."),
        seed: int = typer.Option(0, "--seed", help="Seed; the same seed gives the same files."),
        stock_cover: float = typer.Option(
            gen.DEFAULT_STOCK_COVER, "--stock-cover", help="Available units / demanded units."
        ),
        capacity_cover: float = typer.Option(
            gen.DEFAULT_CAPACITY_COVER, "--capacity-cover", help="Node capacity / demanded units."
        ),
    ) -> None:
        """Draw a network bundle and a day of orders into OUT (deterministic for a seed)."""
        params = gen.GeneratorParams(
            nodes=nodes,
            skus=skus,
            orders=orders,
            seed=seed,
            stock_cover=stock_cover,
            capacity_cover=capacity_cover,
        )
        typer.echo(_describe(gen.generate(out, params), out))

    @data_app.command("sample")
    def sample(
        out: Path = typer.Option(Path("data/sample"), "--out", help="Root of the sample."),
    ) -> None:
        """Regenerate the sample bundle (OUT/network/) and its day of orders (OUT/orders.csv)."""
        typer.echo(_describe(gen.write_sample(out), out))

    app.add_typer(data_app, name="data")


def _describe(bundle: gen.GeneratedBundle, out: Path) -> str:
    """One line on what was written."""
    return (
        f"wrote {out}: {len(bundle.fcs)} nodes, {len(bundle.skus)} SKUs, "
        f"{bundle.kits['kit_sku'].nunique()} kits, {bundle.orders['order_id'].nunique()} orders "
        f"({len(bundle.orders)} lines)"
    )
