"""No oversell and one answer per Idempotency-Key under concurrency, on both stores."""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

import pytest

from dom.inventory import InventoryStore, Reservation, ReservationExpired
from dom.inventory.redis_store import RedisStore
from tests.inventory.conftest import MakeStores
from tests.inventory.networks import ledger_network
from tests.inventory.racers import race, race_in_process

# 31 free units over 3 nodes x 2 SKUs; the racers ask for about 30 times that.
SCARCE = ledger_network([[6, 4], [5, 3], [4, 8]], safety_stock=[[1, 0], [0, 1], [0, 0]])
# Holds of the first TTL are committed or released after the race, those of the second expire.
LONG_TTL, SHORT_TTL = 60.0, 0.5
RACE: dict[str, Any] = {
    "nodes": ["FC0", "FC1", "FC2"],
    "skus": ["S0", "S1"],
    "ttls": (LONG_TTL, SHORT_TTL),
}


def settle_and_check(store: InventoryStore, holds: list[Reservation]) -> None:
    """Check nothing is oversold; commit half the long holds and release the others; let the
    short ones expire; then check the ledger reconciles exactly with what was committed."""
    for r in store.levels():
        assert r.reserved >= 0 and r.allocated >= 0
        assert r.reserved + r.allocated <= r.on_hand - r.safety_stock, f"oversold {r}"
    long = [h for h in holds if h.expires_at > time.time() + LONG_TTL / 2]
    short = [h for h in holds if h not in long]
    assert long and short, "the race kept no holds of one kind: not a race"
    committed: Counter[tuple[str, str]] = Counter()
    for i, hold in enumerate(long):
        if i % 2 == 0:
            store.commit(hold.id)
            committed.update({(x.fc_id, x.sku): x.qty for x in hold.items})
        else:
            store.release(hold.id)
    time.sleep(max(0.0, max(h.expires_at for h in short) - time.time()) + 0.05)
    for hold in short:
        with pytest.raises(ReservationExpired):
            store.commit(hold.id)
    store.sweep()
    levels = store.levels()
    assert all(r.reserved == 0 for r in levels)
    assert {(r.fc_id, r.sku): r.allocated for r in levels if r.allocated} == dict(committed)
    for r in levels:
        assert r.on_hand - r.safety_stock == r.available + r.reserved + r.allocated
    counts = store.counters()
    assert counts["reservations_created"] >= len(holds)
    finished = ("committed", "released", "expired")
    assert sum(counts[f"reservations_{s}"] for s in finished) == counts["reservations_created"]
    assert counts["reserve_short"] > 0, "the race never ran short: not a race"


def test_no_oversell_with_32_threads(make_stores: MakeStores):
    """32 threads on 4 store handles racing for 31 units never hold more than is there."""
    stores = make_stores(SCARCE, replicas=4)
    holds = race(stores, threads=32, attempts=20, seed=1, **RACE)
    settle_and_check(stores[0], holds)


@pytest.mark.redis
def test_no_oversell_across_processes(redis_url: str):
    """4 processes x 8 threads on one Redis ledger never hold more than is there."""
    prefix = "race:{procs}:"
    store = RedisStore.from_url(redis_url, prefix=prefix)
    store.load(SCARCE)
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(4, mp_context=spawn) as pool:
        jobs = [
            pool.submit(race_in_process, redis_url, prefix, seed, threads=8, attempts=20, **RACE)
            for seed in range(4)
        ]
        holds = [h for job in jobs for h in job.result()]
    settle_and_check(store, holds)
    store.close()


def test_fifty_concurrent_identical_calls_give_one_answer_and_one_hold(make_stores: MakeStores):
    """The same Idempotency-Key sent 50 times at once computes once and holds stock once."""
    stores = make_stores(SCARCE, replicas=5)
    start = threading.Barrier(50)

    def route(store: InventoryStore) -> dict:
        rid = uuid.uuid4().hex
        time.sleep(0.05)  # a solve that takes a while, so the other calls really wait
        out = store.reserve(rid, [("FC0", "S0", 2)], ttl_seconds=60)
        return {"reservation": rid, "ok": out.ok}

    def call(i: int) -> dict:
        store = stores[i % len(stores)]
        start.wait()
        return store.idempotent("order-42", lambda: route(store), fingerprint="body-hash")

    with ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(call, range(50)))
    assert len({json.dumps(a, sort_keys=True) for a in answers}) == 1
    assert answers[0]["ok"]
    assert stores[0].counters()["reservations_created"] == 1
    assert sum(r.reserved for r in stores[0].levels()) == 2
