"""``POST /v1/allocations {"pending": true}`` (contracts §7): the store's pending and backordered
lines allocated by the batch optimizer and applied, in-process and on a ``dom worker``."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from dom.inventory.redis_store import RedisStore
from dom.io import load_network
from dom.orders import Oms, OrderStore, check_invariant
from tests.api.conftest import ORDER, TINY, LiveServer, MakeClient, Workers


def _wait(get: Callable[[str], httpx.Response], url: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status = get(url).json()
        if status["status"] in ("finished", "failed") or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def _pending_orders(post: Callable[..., httpx.Response]) -> list[str]:
    """Three orders left pending for a batch; returns their ids."""
    ids = [f"P{k}" for k in range(3)]
    for order_id in ids:
        answer = post("/v1/orders", json={**ORDER, "order_id": order_id, "allocation": "batch"})
        assert answer.status_code == 201 and answer.json()["status"] == "pending", answer.text
    return ids


def test_a_pending_batch_runs_in_process_and_allocates_the_waiting_lines(
    make_memory_client: MakeClient, tmp_path: Path
) -> None:
    """The job finishes with the batch's summary; every waiting order is allocated or
    backordered, nothing is left pending, and the store agrees with the ledger (§7)."""
    client: TestClient = make_memory_client(data_dir=tmp_path / "var")
    ids = _pending_orders(client.post)
    accepted = client.post("/v1/allocations", json={"pending": True, "time_limit": 10})
    assert accepted.status_code == 202, accepted.text
    status = _wait(client.get, accepted.json()["url"])
    assert status["status"] == "finished", status
    assert status["summary"]["orders"] == 3
    for order_id in ids:
        order = client.get(f"/v1/orders/{order_id}").json()
        assert order["status"] in ("allocated", "backordered"), order
        assert all(line["pending"] == 0 for line in order["lines"])
    oms = client.app.state.services.oms  # type: ignore[attr-defined]
    assert check_invariant(oms) == []


def test_orders_or_pending_not_both(make_memory_client: MakeClient) -> None:
    """A body with orders and pending, or with neither, is 422."""
    client = make_memory_client()
    both = client.post("/v1/allocations", json={"pending": True, "orders": [ORDER]})
    neither = client.post("/v1/allocations", json={"method": "greedy"})
    assert both.status_code == neither.status_code == 422


@pytest.mark.redis
def test_a_pending_batch_runs_on_a_worker_against_the_shared_stores(
    redis_url: str,
    postgres_server,
    live_server: Callable[..., LiveServer],
    rq_workers: Callable[[dict[str, str]], Workers],
) -> None:
    """With Redis and PostgreSQL the batch runs on a ``dom worker`` (its own order system on the
    shared stores), and the invariant of §7 holds after it."""
    database = postgres_server.fresh_database()
    prefix = f"pend:{{{uuid.uuid4().hex[:8]}}}:"
    env = {
        "DOM_REDIS_URL": redis_url,
        "DOM_DATABASE_URL": database,
        "DOM_LEDGER_PREFIX": prefix,
        "DOM_NETWORK_DIR": str(TINY),
    }
    server = live_server(env)
    rq_workers(env).start()
    with httpx.Client(base_url=server.url, timeout=60) as http:
        ids = _pending_orders(http.post)
        accepted = http.post("/v1/allocations", json={"pending": True, "time_limit": 10})
        assert accepted.status_code == 202, accepted.text
        status = _wait(http.get, accepted.json()["url"])
        assert status["status"] == "finished", status
        for order_id in ids:
            assert http.get(f"/v1/orders/{order_id}").json()["status"] != "pending"
    ledger = RedisStore.from_url(redis_url, prefix=prefix)
    oms = Oms.build(OrderStore(database), ledger, load_network(TINY))
    assert check_invariant(oms) == []
    oms.store.dispose()
    ledger.close()
