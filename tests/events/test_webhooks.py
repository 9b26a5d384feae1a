"""Webhooks end to end over real HTTP: a ``dom serve`` delivering to a receiver that fails the
first two attempts of every message still gets every event, each signature valid under the
``standardwebhooks`` package's own verifier, none out of order for one order, duplicates only
as retries of the same id; a 410 disables the subscription."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from dom.events.delivery import DeliveryRunner
from dom.events.webhooks import subscribe
from dom.orders import OrderStore
from tests.api.conftest import ORDER, LiveServer
from tests.events.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    made: list[Receiver] = []

    def make(**options: object) -> Receiver:
        made.append(Receiver(**options))  # type: ignore[arg-type]
        return made[-1]

    yield make
    for r in made:
        r.close()


def _wait(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.slow
def test_every_event_arrives_signed_in_order_despite_two_failures_each(
    live_server: Callable[..., LiveServer], receiver: Callable[..., Receiver], tmp_path: Path
) -> None:
    hook = receiver(fail_first=2)
    server = live_server(
        {
            "DOM_DATA_DIR": str(tmp_path / "var"),
            "DOM_WEBHOOK_RETRY_BASE_SECONDS": "0.05",
            "DOM_RESERVATION_TTL_SECONDS": "60",
        }
    )
    with httpx.Client(base_url=server.url, timeout=30) as http:
        made = http.post("/v1/webhooks", json={"url": hook.url, "events": ["*"]})
        assert made.status_code == 201, made.text
        hook.secret = made.json()["secret"]
        for k in range(12):
            body = {**ORDER, "order_id": f"W{k}"}
            assert http.post("/v1/orders", json=body).status_code == 201
            if k % 3 == 0:
                http.post(f"/v1/orders/W{k}/cancel")
            if k % 4 == 1:
                http.post(f"/v1/orders/W{k}/hold", json={"reason": "review"})
                http.delete(f"/v1/orders/W{k}/hold")
        events = http.get("/v1/events", params={"limit": 1000}).json()["events"]
        ids = [str(e["id"]) for e in events]
        assert _wait(lambda: {e["id"] for e in hook.delivered()} >= {int(i) for i in ids}, 60)
        wid = made.json()["webhook_id"]
        log = http.get(f"/v1/webhooks/{wid}/deliveries", params={"limit": 1000}).json()
    assert hook.bad_signatures == 0
    assert sorted(e["id"] for e in hook.delivered()) == sorted(int(i) for i in ids)  # once each
    assert all(hook.attempts[i] == 3 for i in ids)  # two failures, then the delivery
    per_order: dict[str, list[int]] = {}
    for r in hook.received:  # every attempt, in arrival order
        per_order.setdefault(r["event"]["order_id"], []).append(r["event"]["id"])
    for seq in per_order.values():
        assert seq == sorted(seq), "an order's events arrived out of order"
    assert {d["status"] for d in log["deliveries"]} == {"delivered"}
    assert all(d["attempts"] == 3 and len(d["log"]) == 3 for d in log["deliveries"])


def test_a_410_disables_the_subscription(receiver: Callable[..., Receiver], tmp_path: Path) -> None:
    """The runner on its own: 410 Gone stops deliveries to that URL for good."""
    from datetime import datetime

    from dom.events.outbox import append_events

    hook = receiver(fail_first=10, status=410)
    store = OrderStore.open(None, tmp_path)
    store.upgrade()
    made = subscribe(
        store, {"url": hook.url}, allowed_hosts=frozenset({"127.0.0.1"}), now=datetime(2026, 1, 1)
    )
    hook.secret = made["secret"]
    with store.write() as session:
        append_events(
            store,
            session,
            [("order.created", "X1", {}), ("order.created", "X2", {})],
            datetime(2026, 1, 1),
        )
    runner = DeliveryRunner(store, retry_base=0.01)

    async def passes() -> None:
        async with httpx.AsyncClient(timeout=5) as client:
            for _ in range(3):
                await runner.run_once(client)

    asyncio.run(passes())
    from dom.events.webhooks import list_webhooks

    (row,) = list_webhooks(store)
    assert not row["active"] and "410" in row["disabled_reason"]
    assert len(hook.received) == 2  # one attempt each, then nothing more
    store.dispose()
