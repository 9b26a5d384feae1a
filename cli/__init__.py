"""The ``dom`` command line: one root Typer app; each feature registers its own commands.

Bad input (:class:`dom.errors.DomError`) is printed as one clear line on stderr with exit status 2,
never a stack trace.
"""

from __future__ import annotations

import sys

import typer

from dom.errors import DomError

app = typer.Typer(
    name="dom",
    help="Distributed order management: allocate orders, route one order, plan picking walks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_all() -> None:
    from cli import allocate, data, db, orders, report, serve, simulate, warehouse, waves

    for module in (allocate, data, warehouse, waves, serve, simulate, report, db, orders):
        module.register(app)


__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``dom`` console script."""
    _register_all()
    try:
        app()
    except DomError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
