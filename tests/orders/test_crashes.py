"""Nothing lost under crashes: ``dom serve`` processes killed with SIGKILL at random moments
under 32 concurrent clients creating, cancelling and shipping. Afterwards every order answered
201 is in the store exactly once, no unit is oversold, and after the reconciler the invariant
of contracts §7 holds exactly. Shared: two replicas on one PostgreSQL and one Redis, one of
them killed 10 times. Embedded: the single process (SQLite + memory ledger) killed 10 times."""

from __future__ import annotations

import os
import random
import signal
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dom.inventory import MemoryStore
from dom.inventory.redis_store import RedisStore
from dom.io import load_network
from dom.orders import Oms, OrderStore, check_invariant, rebuild_ledger, reconcile
from dom.orders.models import OrderRow
from tests.api.conftest import LiveServer, bundle_with_stock
from tests.orders.load import Outcomes, run_load

KILLS = 10
STOCK = """fc_id,sku,on_hand,safety_stock,reorder_point
EWR,TEE,60,2,5
EWR,MUG,30,0,2
EWR,LAMP,20,0,
RNO,TEE,100,0,5
RNO,MUG,50,1,
RNO,LAMP,30,0,
RNO,RUG,10,0,1
BOS,TEE,10,1,
BOS,MUG,5,0,
"""


def _kill(server: LiveServer) -> None:
    os.killpg(server.proc.pid, signal.SIGKILL)
    server.proc.wait()


def _crash_loop(make: callable, replicas: list[LiveServer], victim: int, seed: int) -> None:
    """Kill replica ``victim`` with SIGKILL at ``KILLS`` random moments, restarting it each time."""
    rng = random.Random(seed)
    for _ in range(KILLS):
        time.sleep(rng.uniform(0.2, 1.0))
        _kill(replicas[victim])
        replicas[victim] = make()


def _check(oms: Oms, out: Outcomes) -> None:
    with oms.store.read() as session:
        stored = set(session.execute(select(OrderRow.order_id)).scalars())
        rows = session.execute(select(func.count()).select_from(OrderRow)).scalar()
    assert rows == len(stored)  # exactly once (the order id is the key)
    assert out.created, "the clients created no order"
    assert out.created <= stored, f"lost: {sorted(out.created - stored)[:5]}"
    assert out.server_errors == []
    assert check_invariant(oms) == []  # ledger agrees, and available >= 0 everywhere


@pytest.mark.slow
@pytest.mark.redis
def test_two_replicas_on_postgres_and_redis_survive_kill_9(
    postgres_server, redis_url: str, tmp_path: Path
) -> None:
    network_dir = bundle_with_stock(tmp_path / "net", STOCK)
    database = postgres_server.fresh_database()
    prefix = f"crash:{{{uuid.uuid4().hex[:8]}}}:"
    env = {
        "DOM_DATABASE_URL": database,
        "DOM_REDIS_URL": redis_url,
        "DOM_LEDGER_PREFIX": prefix,
        "DOM_RESERVATION_TTL_SECONDS": "3",
        "DOM_RECONCILE_INTERVAL_SECONDS": "1",
    }

    def make() -> LiveServer:
        return LiveServer(env, network_dir)

    replicas = [make(), make()]
    try:
        stop = threading.Event()
        out, threads = run_load(lambda: [r.url for r in replicas], 90, stop, clients=32, seed=1)
        _crash_loop(make, replicas, 0, seed=1)
        time.sleep(1)  # load on the restarted replica too
        stop.set()
        for t in threads:
            t.join(timeout=120)
        time.sleep(4)  # holds of killed requests expire (TTL 3 s)
    finally:
        for r in replicas:
            r.stop()
    network = load_network(network_dir)
    ledger = RedisStore.from_url(redis_url, prefix=prefix)
    oms = Oms.build(OrderStore(database), ledger, network)
    reconcile(oms)
    ledger.sweep()
    print(f"shared: {len(out.created)} orders created, {out.requests} answers, {KILLS} kills")
    _check(oms, out)
    oms.store.dispose()
    ledger.close()
    postgres_server.drop(database)


@pytest.mark.slow
def test_the_embedded_process_survives_kill_9(tmp_path: Path) -> None:
    network_dir = bundle_with_stock(tmp_path / "net", STOCK)
    env = {"DOM_DATA_DIR": str(tmp_path / "var"), "DOM_RESERVATION_TTL_SECONDS": "3"}

    def make() -> LiveServer:
        return LiveServer(env, network_dir)

    replicas = [make()]
    try:
        stop = threading.Event()
        out, threads = run_load(lambda: [r.url for r in replicas], 90, stop, clients=32, seed=2)
        _crash_loop(make, replicas, 0, seed=2)
        time.sleep(1)
        stop.set()
        for t in threads:
            t.join(timeout=120)
    finally:
        replicas[0].stop()
    network = load_network(network_dir)
    oms = Oms.build(OrderStore.open(None, tmp_path / "var"), MemoryStore(), network)
    rebuild_ledger(oms)  # what the next start does
    print(f"embedded: {len(out.created)} orders created, {out.requests} answers, {KILLS} kills")
    _check(oms, out)
    oms.store.dispose()
