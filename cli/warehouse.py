"""``dom warehouse export`` and ``dom pick-route``: the warehouse graph and picking walks (§5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from dom.errors import InvalidInput
from warehouse_graph import METHODS, load_layout, pick_route

warehouse_app = typer.Typer(help="Warehouse layouts.", no_args_is_help=True)


@warehouse_app.command("export")
def export(layout: Annotated[Path, typer.Argument(help="layout.json (contracts §5).")]) -> None:
    """Print the graph the router uses as networkx node-link JSON."""
    typer.echo(json.dumps(load_layout(layout).to_node_link()))


def pick_route_command(
    layout: Annotated[Path, typer.Argument(help="layout.json (contracts §5).")],
    locations: Annotated[str, typer.Option(help="Comma-separated location ids to pick.")],
    method: Annotated[str, typer.Option(help=f"One of {', '.join(METHODS)}.")] = "best",
    as_json: Annotated[bool, typer.Option("--json", help="Print the route as JSON.")] = False,
    time_limit: Annotated[
        float | None, typer.Option(help="Seconds for the local search of 'best'.")
    ] = None,
    png: Annotated[
        Path | None, typer.Option(help="Also draw the route, stops numbered, to this PNG.")
    ] = None,
) -> None:
    """Print the shortest picking walk from the depot through LOCATIONS and back."""
    floor = load_layout(layout)
    picks = [loc.strip() for loc in locations.split(",") if loc.strip()]
    if not picks:
        raise InvalidInput(
            f"--locations {locations!r} names no location",
            column="locations",
            fix="give comma-separated ids like A01-B1-S01,A02-B1-S05",
        )
    route = pick_route(floor, picks, method, time_limit=time_limit)
    if png is not None:
        from warehouse_graph.pictures import draw_route

        draw_route(floor, route, png)
    if as_json:
        typer.echo(json.dumps(route.to_json()))
        return
    proof = "proven optimal" if route.proven_optimal else "not proven optimal"
    typer.echo(
        f"{route.method}: {route.length_m:g} m through {len(route.stops)} stops "
        f"({proof}, {route.solve_ms:.1f} ms)"
    )
    typer.echo(" -> ".join(["depot", *route.stops, "depot"]))


def register(app: typer.Typer) -> None:
    """Add ``dom warehouse export`` and ``dom pick-route`` to the root app."""
    app.add_typer(warehouse_app, name="warehouse")
    app.command("pick-route")(pick_route_command)
