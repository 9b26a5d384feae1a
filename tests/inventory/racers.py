"""Threads (and processes) racing to reserve scarce stock, for the no-oversell tests."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from dom.inventory import InventoryStore, Reservation
from dom.inventory.redis_store import RedisStore


def race(
    stores: Sequence[InventoryStore],
    *,
    nodes: Sequence[str],
    skus: Sequence[str],
    threads: int,
    attempts: int,
    seed: int,
    ttls: tuple[float, ...],
) -> list[Reservation]:
    """``threads`` threads start together and each tries ``attempts`` random holds of one or two
    (node, SKU) items of 1-3 units, spread over ``stores``. Four in five holds won are released at
    once, so stock keeps coming back and the race lasts; attempt ``a`` asks for a TTL of
    ``ttls[a % len(ttls)]``. Returns the holds kept."""
    start = threading.Barrier(threads)

    def run(t: int) -> list[Reservation]:
        rng = np.random.default_rng([seed, t])
        store = stores[t % len(stores)]
        pairs = [(f, s) for f in nodes for s in skus]
        won = []
        start.wait()
        for a in range(attempts):
            picks = rng.choice(len(pairs), size=int(rng.integers(1, 3)), replace=False)
            items = [(*pairs[p], int(rng.integers(1, 4))) for p in picks]
            ttl = ttls[a % len(ttls)]
            out = store.reserve(f"s{seed}-t{t}-a{a}", items, ttl_seconds=ttl)
            if out.reservation is None:
                continue
            if rng.random() < 0.8:
                store.release(out.reservation.id)
            else:
                won.append(out.reservation)
        return won

    with ThreadPoolExecutor(threads) as pool:
        return [r for won in pool.map(run, range(threads)) for r in won]


def race_in_process(url: str, prefix: str, seed: int, **options: object) -> list[Reservation]:
    """``race`` on a RedisStore of this process's own (for a spawned worker process)."""
    store = RedisStore.from_url(url, prefix=prefix)
    try:
        return race([store], seed=seed, **options)  # type: ignore[arg-type]
    finally:
        store.close()
