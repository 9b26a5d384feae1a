"""The order system under test: every contract test runs embedded (SQLite + the memory ledger)
and shared (a real PostgreSQL + a real Redis)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from dom.inventory import InventoryStore, MemoryStore
from dom.inventory.redis_store import RedisStore
from dom.io import load_network
from dom.model import Network
from dom.orders import Oms, OrderStore

TINY = Path(__file__).parents[1] / "data" / "tiny"
WAREHOUSES = Path(__file__).parents[2] / "data" / "warehouses"

MakeOms = Callable[..., Oms]


class Clock:
    """A clock the test moves: every change is stamped with it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 14, 0, 0)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


@pytest.fixture(scope="session")
def tiny() -> Network:
    return load_network(TINY)


@pytest.fixture(params=["embedded", pytest.param("shared", marks=pytest.mark.redis)])
def make_oms(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeOms]:
    """``make_oms(network=tiny, **options)``: an order system on a fresh store and ledger."""
    shared = request.param == "shared"
    opened: list[tuple[OrderStore, InventoryStore]] = []
    databases: list[str] = []

    def make(network: Network | None = None, **options: object) -> Oms:
        network = network or load_network(TINY)
        if shared:
            server = request.getfixturevalue("postgres_server")
            databases.append(server.fresh_database())
            store = OrderStore(databases[-1])
            ledger: InventoryStore = RedisStore.from_url(
                request.getfixturevalue("redis_url"), prefix=f"test:{{{uuid.uuid4().hex[:8]}}}:"
            )
        else:
            store = OrderStore.open(None, tmp_path / f"var{len(opened)}")
            store.upgrade()
            ledger = MemoryStore()
        ledger.load(network)
        opened.append((store, ledger))
        options.setdefault("clock", Clock())
        options.setdefault("warehouse_dir", WAREHOUSES)
        return Oms.build(store, ledger, network, **options)  # type: ignore[arg-type]

    yield make
    for store, ledger in opened:
        store.dispose()
        ledger.close()
    for url in databases:
        request.getfixturevalue("postgres_server").drop(url)
