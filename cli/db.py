"""``dom db upgrade``: migrate the configured order store (DOM_DATABASE_URL, else SQLite under
DOM_DATA_DIR) to the newest schema; ``dom serve`` does the same at start."""

from __future__ import annotations

import os
from pathlib import Path

import typer

db_app = typer.Typer(help="The order store: migrations.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade() -> None:
    """Run the order store's migrations up to the newest (harmless when already there); needs
    no network bundle."""
    from dom.orders import OrderStore

    url = os.environ.get("DOM_DATABASE_URL") or None
    store = OrderStore.open(url, Path(os.environ.get("DOM_DATA_DIR") or "var"))
    store.upgrade()
    typer.echo(f"order store at {store.url.split('@')[-1]} is at the newest schema")
    store.dispose()


def register(app: typer.Typer) -> None:
    """Add ``dom db`` to the root app."""
    app.add_typer(db_app, name="db")
