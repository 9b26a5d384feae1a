"""``dom orders import FILE``, ``dom orders show ID``, ``dom orders allocate`` and
``dom orders check`` against the configured order store and ledger (the ``DOM_*`` settings
``dom serve`` reads)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.serve import service_settings

if TYPE_CHECKING:
    from dom.orders import Oms

orders_app = typer.Typer(help="Orders in the store: import, show, check.", no_args_is_help=True)

NetworkOption = Annotated[
    Path | None, typer.Option("--network", help="network bundle (else DOM_NETWORK_DIR)")
]


def _oms(network_dir: Path | None) -> Oms:
    """The order system of the configured store and ledger (imported here: ``dom --help`` and
    the other commands stay quick to start)."""
    from api.app import open_orders
    from dom.inventory import InventoryStore, MemoryStore
    from dom.inventory.redis_store import RedisStore
    from dom.io import load_network

    settings = service_settings(network_dir)
    network = load_network(settings.network_dir)
    ledger: InventoryStore
    if settings.redis_url:
        ledger = RedisStore.from_url(settings.redis_url, prefix=settings.ledger_prefix)
    else:
        ledger = MemoryStore()
    ledger.load(network)
    return open_orders(settings, ledger, network)


@orders_app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="orders CSV or Parquet (contracts §2)")],
    network: NetworkOption = None,
    allocation: Annotated[str, typer.Option(help="now (route at once) or batch")] = "now",
) -> None:
    """Create the file's orders; prints {created, duplicates, rejected: [{row, column, ...}]}."""
    from dom.orders import import_orders

    oms = _oms(network)
    result = import_orders(oms, file, allocation=allocation)
    oms.flush_done()
    typer.echo(json.dumps(result, indent=2))
    if result["rejected"]:
        raise typer.Exit(2)


@orders_app.command("show")
def show_cmd(order_id: str, network: NetworkOption = None) -> None:
    """Print one order (the resource of contracts §7) as JSON."""
    from dom.orders import get_order

    typer.echo(json.dumps(get_order(_oms(network), order_id), indent=2))


@orders_app.command("allocate")
def allocate_cmd(
    network: NetworkOption = None,
    time_limit: Annotated[float, typer.Option(help="seconds for the optimizer")] = 30.0,
) -> None:
    """The batch over every pending and backordered line (the optimizer on the stock left),
    applied with holds; prints its summary."""
    from dom.orders import allocate_pending
    from solvers import MaxRuntime

    oms = _oms(network)
    summary = allocate_pending(oms, stop=MaxRuntime(time_limit))
    oms.flush_done()
    typer.echo(json.dumps(summary, indent=2))


@orders_app.command("check")
def check_cmd(network: NetworkOption = None) -> None:
    """Check the invariant of contracts §7 between the store and the ledger (exit 1 if not)."""
    from dom.orders import check_invariant

    problems = check_invariant(_oms(network))
    for line in problems:
        typer.echo(line)
    typer.echo("the store and the ledger agree" if not problems else f"{len(problems)} problem(s)")
    if problems:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``dom orders`` to the root app."""
    app.add_typer(orders_app, name="orders")
