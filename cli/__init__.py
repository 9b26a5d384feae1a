"""The ``dom`` command line: one root Typer app; each feature registers its own commands.

Bad input (:class:`dom.errors.DomError`) is printed as one clear line on stderr with exit status 2,
never a stack trace.
"""

from __future__ import annotations

import functools
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


@functools.cache
def register_all() -> typer.Typer:
    """Add every feature's commands to ``app`` (once per process) and return it."""
    from cli import allocate, data, db, orders, report, serve, simulate, warehouse, waves

    for module in (allocate, data, warehouse, waves, serve, simulate, report, db, orders):
        module.register(app)
    return app


__all__ = ["app", "main", "register_all"]


def main() -> None:
    """Entry point of the ``dom`` console script."""
    register_all()
    try:
        app()
    except DomError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
