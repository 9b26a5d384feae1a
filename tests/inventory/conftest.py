"""The store under test: every contract test runs once in memory and once on a real Redis."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from dom.inventory import InventoryStore, MemoryStore
from dom.inventory.redis_store import RedisStore
from dom.model import Network

MakeStores = Callable[..., list[InventoryStore]]


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def make_stores(request: pytest.FixtureRequest) -> Iterator[MakeStores]:
    """``make_stores(network, replicas=1)``: handles on one fresh ledger loaded from ``network``.

    Memory replicas are one object; Redis replicas are separate clients on one key prefix.
    """
    url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    opened: list[InventoryStore] = []

    def make(network: Network, replicas: int = 1) -> list[InventoryStore]:
        if url is None:
            stores: list[InventoryStore] = [MemoryStore()] * replicas
        else:
            prefix = f"test:{{{uuid.uuid4().hex[:8]}}}:"
            stores = [RedisStore.from_url(url, prefix=prefix) for _ in range(replicas)]
        stores[0].load(network)
        opened.extend(stores)
        return stores

    yield make
    for store in opened:
        store.close()
