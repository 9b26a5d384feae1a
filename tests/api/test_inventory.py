"""Availability, absolute stock levels, fulfilments and restock alerts."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import ORDER

RENO_TEES = dict(ORDER, lines=[{"sku": "TEE", "qty": 3}], destination={"zip": "89501"})
ONE_RUG = dict(ORDER, lines=[{"sku": "RUG", "qty": 1}], destination={"zip": "89501"})


def test_availability_per_enabled_node(client: TestClient) -> None:
    """Availability is on_hand - safety_stock per enabled node; unknown SKUs are 422."""
    body = client.get("/v1/availability", params=[("sku", "TEE"), ("sku", "RUG")]).json()
    assert body["TEE"]["EWR"] == 8 and body["TEE"]["RNO"] == 20
    assert body["RUG"]["RNO"] == 3
    assert "DAL" not in body["TEE"]  # disabled node
    bad = client.get("/v1/availability", params={"sku": "NOPE"})
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "sku"
    assert client.get("/v1/availability").status_code == 422


def test_put_inventory_sets_levels_and_reports_shortfall(client: TestClient) -> None:
    """Absolute levels keep holds; a count below them shows as shortfall, all rows or none."""
    hold = client.post("/v1/route?reserve=true", json=RENO_TEES).json()["reservation"]
    assert hold["items"] == [{"fc_id": "RNO", "sku": "TEE", "qty": 3}]
    rows = client.put("/v1/inventory", json=[{"fc_id": "RNO", "sku": "TEE", "on_hand": 1}]).json()
    assert rows[0]["reserved"] == 3 and rows[0]["shortfall"] == 2 and rows[0]["available"] == 0
    bad = client.put(
        "/v1/inventory",
        json=[
            {"fc_id": "RNO", "sku": "RUG", "on_hand": 9},
            {"fc_id": "XX", "sku": "RUG", "on_hand": 1},
        ],
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "[1].fc_id"
    assert client.get("/v1/availability?sku=TEE").json()["TEE"]["RNO"] == 0
    negative = client.put("/v1/inventory", json=[{"fc_id": "RNO", "sku": "RUG", "on_hand": -1}])
    assert negative.json()["error"]["field"] == "[0].on_hand"


def test_fulfilment_lowers_on_hand_and_allocated(client: TestClient) -> None:
    """A fulfilment of committed units lowers both; beyond the allocation it is 409."""
    for _ in range(2):
        hold = client.post("/v1/route?reserve=true", json=ONE_RUG).json()["reservation"]
        client.post(f"/v1/reservations/{hold['id']}/commit")
    row = client.post("/v1/fulfillments", json={"fc_id": "RNO", "sku": "RUG", "qty": 2}).json()
    assert (row["on_hand"], row["allocated"], row["available"]) == (1, 0, 1)
    again = client.post("/v1/fulfillments", json={"fc_id": "RNO", "sku": "RUG", "qty": 1})
    assert again.status_code == 409


def test_restock_alerts(client: TestClient) -> None:
    """Rows at or below their reorder point are listed; a fulfilment can add one."""
    alerts = client.get("/v1/alerts/restock").json()
    assert alerts["count"] == len(alerts["alerts"])
    listed = {(a["fc_id"], a["sku"]) for a in alerts["alerts"]}
    assert ("RNO", "RUG") not in listed  # 3 on hand, reorder point 1
    for _ in range(2):
        hold = client.post("/v1/route?reserve=true", json=ONE_RUG).json()["reservation"]
        client.post(f"/v1/reservations/{hold['id']}/commit")
    after = client.get("/v1/alerts/restock").json()["alerts"]
    rug = [a for a in after if (a["fc_id"], a["sku"]) == ("RNO", "RUG")]
    assert rug == [
        {
            "fc_id": "RNO",
            "sku": "RUG",
            "on_hand": 3,
            "allocated": 2,
            "net_stock": 1,
            "reorder_point": 1,
        }
    ]
