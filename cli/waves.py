"""``dom pick-waves``: a plan's lines at one node as pick lists, grouped into cart waves, routed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dom.errors import UnknownNode

if TYPE_CHECKING:
    from dom.model import Network
    from warehouse_graph import Kits, WavePlan


def _kits(network: Network) -> Kits:
    """Kit id -> its (component SKU, units per kit)."""
    from warehouse_graph import kits_from_csr

    sku_of = network.sku_ids[network.kit_comp_sku]
    return kits_from_csr(network.kit_ids, network.kit_ptr, sku_of, network.kit_comp_qty)


def _write(plan: WavePlan, out: Path) -> list[Path]:
    """Write the wave files all at once (``dom.files.folder_writer``)."""
    from dom.files import folder_writer
    from warehouse_graph import write_wave_plan

    with folder_writer(out) as scratch:
        written = write_wave_plan(plan, scratch)
    return [out / path.name for path in written]


def pick_waves(
    plan_dir: Annotated[Path, typer.Argument(help="Plan folder of 'dom allocate' (lines.csv).")],
    node: Annotated[str, typer.Option("--node", help="The warehouse whose lines to pick.")],
    layout: Annotated[Path, typer.Option("--layout", help="The node's layout.json.")],
    slotting: Annotated[Path, typer.Option("--slotting", help="slotting.csv: sku,location.")],
    cart_units: Annotated[int, typer.Option("--cart-units", help="Units a cart holds.")],
    cart_orders: Annotated[int, typer.Option("--cart-orders", help="Orders a cart holds.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the wave files.")],
    method: Annotated[str, typer.Option("--method", help="Routing method.")] = "best",
    png_dir: Annotated[
        Path | None, typer.Option("--png-dir", help="Draw each wave's route here.")
    ] = None,
    network: Annotated[
        Path | None,
        typer.Option(
            "--network", help="Network bundle: explodes kit lines, checks SKUs and the node."
        ),
    ] = None,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Seconds for the batching search.")
    ] = None,
) -> None:
    """Group the node's pick lists into cart waves with short walks; write waves.csv,
    orders.csv, picks.csv and waves.json to --out."""
    from dom.io import load_network
    from warehouse_graph import (
        Cart,
        build_pick_lists,
        load_layout,
        load_slotting,
        plan_waves,
        read_node_lines,
    )

    cart = Cart(cart_units, cart_orders)
    bundle = load_network(network) if network is not None else None
    if bundle is not None and node not in bundle.node_index:
        raise UnknownNode(
            f"node '{node}' is not in the network",
            column="--node",
            fix=f"use one of {', '.join(bundle.node_ids.tolist())}",
        )
    floor = load_layout(layout)
    slots = load_slotting(
        slotting, floor, known_skus=None if bundle is None else bundle.sku_ids.tolist()
    )
    lines = read_node_lines(plan_dir, node)
    lists = build_pick_lists(
        lines,
        slots,
        floor,
        kits=None if bundle is None else _kits(bundle),
        slotting_source=str(slotting),
    )
    plan = plan_waves(floor, lists, cart, method=method, time_limit=time_limit)
    written = _write(plan, out)
    if png_dir is not None:
        from warehouse_graph.pictures import draw_route

        png_dir.mkdir(parents=True, exist_ok=True)
        for wave_id, route in zip(plan.wave_ids, plan.routes, strict=True):
            draw_route(floor, route, png_dir / f"{wave_id}.png", title=f"{node} {wave_id}")
    typer.echo(plan.summary())
    for path in written:
        typer.echo(f"wrote {path}")


def register(app: typer.Typer) -> None:
    """Add ``dom pick-waves`` to the root app."""
    app.command("pick-waves")(pick_waves)
