"""The lifecycle end to end over real HTTP: 500 sample orders from four channels through create,
release (waves at nodes with a layout), pick (with short picks), ship, tracking, delivery,
cancellations and returns, on one ``dom serve`` with PostgreSQL and Redis. Afterwards the
invariant of contracts §7 holds for every (node, SKU) and every order's status follows the
derivation rule."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from benchmarks.api.order_bodies import order_bodies
from dom.inventory.redis_store import RedisStore
from dom.io import load_network
from dom.orders import Oms, OrderStore, check_invariant, derive_status, reconcile
from dom.orders.models import LineRow
from tests.api.conftest import WAREHOUSES, LiveServer

SAMPLE = Path(__file__).parents[2] / "data" / "sample"
NUM_ORDERS = 500


def _lines(f: dict) -> list[dict]:
    return [{"line_no": x["line_no"], "picked_qty": x["qty"]} for x in f["lines"]]


@pytest.mark.slow
@pytest.mark.redis
def test_500_sample_orders_from_capture_to_return(
    live_server: Callable[..., LiveServer], postgres_server, redis_url: str
) -> None:
    rng = random.Random(17)
    database = postgres_server.fresh_database()
    prefix = f"e2e:{{{uuid.uuid4().hex[:8]}}}:"
    env = {
        "DOM_DATABASE_URL": database,
        "DOM_REDIS_URL": redis_url,
        "DOM_LEDGER_PREFIX": prefix,
        "DOM_WAREHOUSE_DIR": str(WAREHOUSES),
    }
    server = live_server(env, SAMPLE / "network")
    bodies = order_bodies(SAMPLE / "orders.csv", limit=NUM_ORDERS)
    assert {b.get("channel") for b in bodies} == {"web", "phone", "store", "marketplace"}
    counts: Counter[str] = Counter()
    waves_at: set[str] = set()
    with httpx.Client(base_url=server.url, timeout=60) as http:
        for body in bodies:
            answer = http.post("/v1/orders", json=body)
            assert answer.status_code == 201, answer.text
        for body in rng.sample(bodies, 40):  # cancellations, some partial
            lines = None if rng.random() < 0.5 else {"lines": [{"line_no": 0, "qty": 1}]}
            answer = http.post(f"/v1/orders/{body['order_id']}/cancel", json=lines)
            assert answer.status_code in (200, 409), answer.text
            counts["cancel"] += 1
        shipped: list[dict] = []
        for _ in range(3):  # re-routed units come back as new allocated fulfillments
            page = http.get("/v1/orders", params={"status": "allocated", "limit": 500}).json()[
                "orders"
            ]
            page += http.get(
                "/v1/orders", params={"status": "partially_shipped", "limit": 500}
            ).json()["orders"]
            nodes = sorted(
                {f["fc_id"] for o in page for f in o["fulfillments"] if f["status"] == "allocated"}
            )
            if not nodes:
                break
            for node in nodes:
                release = http.post(
                    "/v1/fulfillments/release",
                    json={"fc_id": node, "cart": {"units": 40, "orders": 10}},
                )
                assert release.status_code == 200, release.text
                answer = release.json()
                if (WAREHOUSES / node / "layout.json").is_file() and answer["released"]:
                    assert (
                        answer["waves"] is not None
                        and answer["waves"]["waves"][0]["route"]["stops"]
                    )
                    waves_at.add(node)
                for f in answer["released"]:
                    lines = _lines(f)
                    if rng.random() < 0.06:  # a short pick: one unit missing
                        lines[0]["picked_qty"] -= 1
                        counts["short"] += 1
                    picked = http.post(
                        f"/v1/fulfillments/{f['fulfillment_id']}/pick", json={"lines": lines}
                    )
                    assert picked.status_code == 200, picked.text
                    if picked.json()["status"] != "picked":
                        continue
                    ship = http.post(f"/v1/fulfillments/{f['fulfillment_id']}/ship")
                    assert ship.status_code == 200, ship.text
                    shipped.append(ship.json())
        for f in shipped:
            number = f["tracking_number"]
            for status, day in (("in_transit", 3), ("delivered", 5)):
                if status == "delivered" and rng.random() < 0.1:
                    continue  # still on its way
                event = {
                    "tracking_number": number,
                    "status": status,
                    "at": f"2025-03-0{day}T12:00:00Z",
                }
                assert http.post("/v1/tracking", json=event).status_code == 200
        delivered = http.get("/v1/orders", params={"status": "delivered", "limit": 500}).json()[
            "orders"
        ]
        for order in delivered[:25]:
            line = next(x for x in order["lines"] if x["delivered"])
            ret = http.post(
                f"/v1/orders/{order['order_id']}/returns",
                json={"lines": [{"line_no": line["line_no"], "qty": 1, "reason": "changed mind"}]},
            )
            assert ret.status_code == 201, ret.text
            condition = "sellable" if rng.random() < 0.7 else "damaged"
            got = http.post(
                f"/v1/returns/{ret.json()['return_id']}/receive",
                json={"lines": [{"line_no": line["line_no"], "qty": 1, "condition": condition}]},
            )
            assert got.status_code == 200, got.text
            counts["return"] += 1
        statuses = Counter()
        for body in bodies:
            order = http.get(f"/v1/orders/{body['order_id']}").json()
            statuses[order["status"]] += 1
            rows = [LineRow(**{k: v for k, v in ln.items()}) for ln in order["lines"]]
            assert order["status"] == derive_status(rows), order
    print(
        f"e2e: {dict(counts)}, {len(shipped)} shipped, waves at {sorted(waves_at)}, "
        f"statuses {dict(statuses)}"
    )
    assert len(shipped) > 300 and counts["short"] > 0 and counts["return"] > 0 and waves_at
    assert statuses["delivered"] > 0 and statuses["cancelled"] > 0
    ledger = RedisStore.from_url(redis_url, prefix=prefix)
    oms = Oms.build(OrderStore(database), ledger, load_network(SAMPLE / "network"))
    reconcile(oms)
    assert check_invariant(oms) == []
    oms.store.dispose()
    ledger.close()
