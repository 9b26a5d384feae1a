"""POST /v1/route and the reservation lifecycle, on both ledgers."""

from __future__ import annotations

import copy
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import ORDER, MakeClient


def _units(client: TestClient, sku: str) -> int:
    return sum(client.get("/v1/availability", params={"sku": sku}).json()[sku].values())


def test_route_answers_the_single_order_plan(client: TestClient) -> None:
    """Without reserve the answer is contracts §4's single-order JSON and nothing is held."""
    before = _units(client, "TEE")
    answer = client.post("/v1/route", json=ORDER)
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"order_id", "shipments", "unfilled", "total_cost"}
    assert body["order_id"] == "A1"
    routed = sorted(n for s in body["shipments"] for n in s["lines"]) + body["unfilled"]
    assert sorted(routed) == [0, 1]
    for shipment in body["shipments"]:
        assert set(shipment) == {"fc_id", "service", "lines", "ship_cost", "eta_days"}
    assert _units(client, "TEE") == before


def test_order_over_twelve_lines_is_routed_and_held(client: TestClient) -> None:
    """An order past the exact kernel's 12 lines is routed (greedy beyond) and held in full."""
    before = _units(client, "TEE")
    order = dict(ORDER, lines=[{"sku": "TEE", "qty": 1}] * 14)
    answer = client.post("/v1/route?reserve=true", json=order)
    assert answer.status_code == 200
    body = answer.json()
    routed = sorted(n for s in body["shipments"] for n in s["lines"]) + body["unfilled"]
    assert sorted(routed) == list(range(14))
    held = sum(item["qty"] for item in body["reservation"]["items"])
    assert held == 14 - len(body["unfilled"])
    assert _units(client, "TEE") == before - held


@pytest.mark.parametrize(
    ("query", "headers", "field"),
    [
        ("reserve=maybe", {}, "reserve"),
        ("", {"Idempotency-Key": ""}, "Idempotency-Key"),
        ("", {"Idempotency-Key": "k" * 201}, "Idempotency-Key"),
    ],
)
def test_bad_reserve_flag_or_idempotency_key_is_422(
    client: TestClient, query: str, headers: dict[str, str], field: str
) -> None:
    """A reserve flag that is not a boolean or an empty/overlong Idempotency-Key is 422."""
    answer = client.post(f"/v1/route?{query}", json=ORDER, headers=headers)
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == field


def test_reserve_holds_then_commit_allocates(client: TestClient) -> None:
    """reserve=true holds exactly the plan's units; commit keeps them out of availability."""
    before = {sku: _units(client, sku) for sku in ("TEE", "MUG")}
    body = client.post("/v1/route", params={"reserve": "true"}, json=ORDER).json()
    hold = body["reservation"]
    assert hold["expires_at"].endswith("Z")
    held = {i["sku"]: i["qty"] for i in hold["items"]}
    assert held == {"TEE": 2, "MUG": 1}
    assert {sku: _units(client, sku) for sku in held} == {s: before[s] - q for s, q in held.items()}
    committed = client.post(f"/v1/reservations/{hold['id']}/commit").json()
    assert committed["state"] == "committed"
    assert client.post(f"/v1/reservations/{hold['id']}/commit").json()["state"] == "committed"
    assert client.delete(f"/v1/reservations/{hold['id']}").status_code == 409
    assert _units(client, "TEE") == before["TEE"] - 2


def test_release_returns_stock(client: TestClient) -> None:
    """DELETE gives the held units back; an unknown id is 404."""
    before = _units(client, "TEE")
    hold = client.post("/v1/route?reserve=true", json=ORDER).json()["reservation"]
    released = client.delete(f"/v1/reservations/{hold['id']}")
    assert released.json()["state"] == "released"
    assert _units(client, "TEE") == before
    assert client.get(f"/v1/reservations/{hold['id']}").json()["state"] == "released"
    missing = client.post("/v1/reservations/nope/commit")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_expired_hold_returns_stock_and_refuses_commit(make_client: MakeClient) -> None:
    """A hold past its TTL gives its stock back and its commit is 409."""
    client = make_client(reservation_ttl_seconds=0.2)
    before = _units(client, "TEE")
    hold = client.post("/v1/route?reserve=true", json=ORDER).json()["reservation"]
    assert _units(client, "TEE") == before - 2
    time.sleep(0.4)
    assert _units(client, "TEE") == before
    late = client.post(f"/v1/reservations/{hold['id']}/commit")
    assert late.status_code == 409
    assert "expired" in late.json()["error"]["message"]


def test_unfillable_order_holds_nothing(client: TestClient) -> None:
    """An order no node can fill answers reservation null with every line unfilled."""
    order = dict(ORDER, lines=[{"sku": "RUG", "qty": 50}])
    body = client.post("/v1/route?reserve=true", json=order).json()
    assert body["unfilled"] == [0]
    assert body["shipments"] == []
    assert body["reservation"] is None


def test_never_oversells_scarce_stock(client: TestClient) -> None:
    """Concurrent reservations for scarce RUG never hold more than is available."""
    stock = _units(client, "RUG")
    order = dict(ORDER, lines=[{"sku": "RUG", "qty": 1}])
    with ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(lambda _: client.post("/v1/route?reserve=true", json=order), range(3 * stock))
        )
    assert {a.status_code for a in answers} == {200}
    held = sum(a.json()["reservation"] is not None for a in answers)
    assert held == stock
    assert _units(client, "RUG") == 0


def test_idempotency_key_returns_first_answer_and_one_hold(client: TestClient) -> None:
    """50 concurrent calls with one Idempotency-Key get one answer and hold stock once."""
    before = _units(client, "TEE")
    headers = {"Idempotency-Key": "order-A1-try"}

    def call(_: int) -> dict:
        answer = client.post("/v1/route?reserve=true", json=ORDER, headers=headers)
        assert answer.status_code == 200
        return answer.json()

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(call, range(50)))
    assert all(a == answers[0] for a in answers)
    assert _units(client, "TEE") == before - 2
    other = client.post(
        "/v1/route?reserve=true", json=dict(ORDER, promised_days=1), headers=headers
    )
    assert other.status_code == 422
    assert other.json()["error"]["field"] == "Idempotency-Key"


def _bad(path: str, value: object) -> dict:
    order = copy.deepcopy(ORDER)
    *parents, leaf = path.replace("[", ".").replace("]", "").split(".")
    target: dict | list = order
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]  # type: ignore[index]
    if value is KeyError:
        del target[leaf]  # type: ignore[arg-type]
    else:
        target[int(leaf) if leaf.isdigit() else leaf] = value  # type: ignore[index]
    return order


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("lines[1].qty", 0, "lines[1].qty"),
        ("lines[1].qty", "two", "lines[1].qty"),
        ("lines[0].sku", "NOPE", "lines[0].sku"),
        ("lines[0].sku", KeyError, "lines[0].sku"),
        ("destination", KeyError, "destination"),
        ("destination.zip", "00000", "destination.zip"),
        ("destination", {"lat": 95, "lon": 0}, "destination.lat"),
        ("destination", {"lat": 40}, "destination.lon"),
        ("promised_days", -1, "promised_days"),
        ("lines", [], "lines"),
        ("ship_complete", "maybe", "ship_complete"),
        ("order_id", "", "order_id"),
        ("order_id", "A" * 129, "order_id"),
        ("order_id", "A\x07", "order_id"),
        ("lines[1].qty", 10**19, "lines[1].qty"),
        ("lines[1].qty", 2**63 - 1, "lines[1].qty"),
        ("lines[1].qty", 1_000_001, "lines[1].qty"),
        ("promised_days", 10**30, "promised_days"),
        ("promised_days", 366, "promised_days"),
        ("lines", [{"sku": "TEE", "qty": 1}] * 1001, "lines"),
    ],
)
def test_malformed_order_is_422_naming_the_field(
    client: TestClient, path: str, value: object, field: str
) -> None:
    """Each malformed order answers 422 whose error names the JSON field."""
    answer = client.post("/v1/route", json=_bad(path, value))
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["field"] == field
    assert error["message"]


@pytest.mark.parametrize("url", ["/v1/route", "/v1/allocations"])
def test_a_body_nested_100000_deep_is_4xx(client: TestClient, url: str) -> None:
    """A JSON body nested deeper than any parser follows is refused as input, never 500."""
    body = b"[" * 100_000 + b"]" * 100_000
    answer = client.post(url, content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid_input"


def test_the_limits_of_contracts_2_are_in_the_openapi_schema(client: TestClient) -> None:
    """qty, promised_days, lines per order and id lengths carry their limits in /openapi.json."""
    order = client.get("/openapi.json").json()["components"]["schemas"]["OrderIn"]
    line = client.get("/openapi.json").json()["components"]["schemas"]["OrderLineIn"]
    assert line["properties"]["qty"]["maximum"] == 1_000_000
    assert order["properties"]["promised_days"]["maximum"] == 365
    assert order["properties"]["lines"]["maxItems"] == 1_000
    assert order["properties"]["order_id"]["anyOf"][0]["maxLength"] == 128


def test_body_that_is_not_json_is_422(client: TestClient) -> None:
    """Broken JSON answers 422 in the error shape, never 500."""
    answer = client.post(
        "/v1/route", content=b'{"order_id": ', headers={"content-type": "application/json"}
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid_input"
