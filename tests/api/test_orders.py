"""The lifecycle over the API (contracts §7, §8): answers, status codes, error shapes, scopes,
on both ledgers."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.api.conftest import ORDER, MakeClient

KEYS = "oms:orders;wh:warehouse;car:carrier;ev:events;root:admin;router:route"


def _client(make_client: MakeClient, tmp_path: Path, **extra: object) -> TestClient:
    return make_client(data_dir=tmp_path / "var", api_keys=KEYS, **extra)


def _as(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def test_the_lifecycle_over_http(make_client: MakeClient, tmp_path: Path) -> None:
    """Create (201, then 200 for the same body, 409 for another), release, pick, ship, track,
    deliver, return, receive; each answer the resource of §7; the events feed has them all."""
    client = _client(make_client, tmp_path)
    made = client.post("/v1/orders", json=ORDER, headers=_as("oms"))
    assert made.status_code == 201, made.text
    order = made.json()
    assert order["status"] == "allocated" and order["lines"][0]["allocated"] == 2
    again = client.post("/v1/orders", json=ORDER, headers=_as("oms"))
    assert again.status_code == 200 and again.json() == order
    clash = client.post("/v1/orders", json={**ORDER, "promised_days": 1}, headers=_as("oms"))
    assert clash.status_code == 409 and clash.json()["error"]["field"] == "order_id"
    for f in order["fulfillments"]:
        released = client.post(
            "/v1/fulfillments/release", json={"fc_id": f["fc_id"]}, headers=_as("wh")
        )
        assert released.status_code == 200, released.text
        lines = [{"line_no": x["line_no"], "picked_qty": x["qty"]} for x in f["lines"]]
        picked = client.post(
            f"/v1/fulfillments/{f['fulfillment_id']}/pick", json={"lines": lines}, headers=_as("wh")
        )
        assert picked.json()["status"] == "picked"
        shipped = client.post(
            f"/v1/fulfillments/{f['fulfillment_id']}/ship",
            json={"carrier": "UPS"},
            headers=_as("wh"),
        )
        assert shipped.status_code == 200 and shipped.json()["carrier"] == "UPS"
        event = {
            "tracking_number": shipped.json()["tracking_number"],
            "status": "delivered",
            "at": "2026-03-05T10:00:00Z",
        }
        assert (
            client.post("/v1/tracking", json=event, headers=_as("car")).json()["status"]
            == "delivered"
        )
    tracking = client.get("/v1/orders/A1/tracking", headers=_as("oms")).json()
    assert tracking["status"] == "delivered" and tracking["fulfillments"][0]["events"]
    ret = client.post(
        "/v1/orders/A1/returns",
        json={"lines": [{"line_no": 0, "qty": 1, "reason": "size"}]},
        headers=_as("oms"),
    )
    assert ret.status_code == 201 and ret.json()["status"] == "requested"
    got = client.post(
        f"/v1/returns/{ret.json()['return_id']}/receive",
        json={"lines": [{"line_no": 0, "qty": 1, "condition": "sellable"}]},
        headers=_as("wh"),
    )
    assert got.json()["status"] == "received"
    events = client.get("/v1/events", params={"order_id": "A1"}, headers=_as("ev")).json()["events"]
    types = [e["type"] for e in events]
    assert types[:2] == ["order.created", "order.allocated"] and types[-1] == "return.received"
    assert {
        "fulfillment.released",
        "fulfillment.picked",
        "fulfillment.shipped",
        "fulfillment.delivered",
    } <= set(types)
    ids = [e["id"] for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_errors_are_404_409_422_in_the_contract_shape(
    make_client: MakeClient, tmp_path: Path
) -> None:
    client = _client(make_client, tmp_path)
    missing = client.get("/v1/orders/NOPE", headers=_as("oms"))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert client.post("/v1/fulfillments/NOPE/ship", headers=_as("wh")).status_code == 404
    assert (
        client.post(
            "/v1/returns/NOPE/receive",
            json={"lines": [{"line_no": 0, "qty": 1, "condition": "sellable"}]},
            headers=_as("wh"),
        ).status_code
        == 404
    )
    order = client.post("/v1/orders", json=ORDER, headers=_as("oms")).json()
    fid = order["fulfillments"][0]["fulfillment_id"]
    early = client.post(f"/v1/fulfillments/{fid}/ship", headers=_as("wh"))
    assert early.status_code == 409 and f"'{fid}' is allocated" in early.json()["error"]["message"]
    client.post(
        "/v1/fulfillments/release",
        json={"fc_id": order["fulfillments"][0]["fc_id"]},
        headers=_as("wh"),
    )
    lines = [
        {"line_no": x["line_no"], "picked_qty": x["qty"]} for x in order["fulfillments"][0]["lines"]
    ]
    client.post(f"/v1/fulfillments/{fid}/pick", json={"lines": lines}, headers=_as("wh"))
    late = client.post(
        "/v1/orders/A1/cancel", json={"lines": [{"line_no": 0, "qty": 2}]}, headers=_as("oms")
    )
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "illegal_transition"
    assert (
        "line 0" in late.json()["error"]["message"]
        and "picked 2" in late.json()["error"]["message"]
    )
    bad = client.post(
        "/v1/orders",
        json={**ORDER, "order_id": "B", "lines": [{"sku": "TEE", "qty": 0}]},
        headers=_as("oms"),
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "lines[0].qty"
    unknown = client.post(
        "/v1/orders",
        json={**ORDER, "order_id": "C", "lines": [{"sku": "TEA", "qty": 1}]},
        headers=_as("oms"),
    )
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_sku"
    pick_bad = client.post(
        f"/v1/fulfillments/{fid}/pick",
        json={"lines": [{"line_no": 0, "picked_qty": -1}]},
        headers=_as("wh"),
    )
    assert (
        pick_bad.status_code == 422 and pick_bad.json()["error"]["field"] == "lines[0].picked_qty"
    )
    assert (
        client.post(
            "/v1/fulfillments/release", json={"fc_id": "NOWHERE"}, headers=_as("wh")
        ).status_code
        == 422
    )


def test_each_call_needs_its_scope(make_client: MakeClient, tmp_path: Path) -> None:
    """orders, warehouse, carrier, events, admin: a key without the call's scope is 403."""
    client = _client(make_client, tmp_path)
    assert client.post("/v1/orders", json=ORDER, headers=_as("wh")).status_code == 403
    assert client.post("/v1/orders", json=ORDER).status_code == 401
    assert (
        client.post(
            "/v1/fulfillments/release", json={"fc_id": "EWR"}, headers=_as("oms")
        ).status_code
        == 403
    )
    track = {"tracking_number": "X", "status": "delivered", "at": "2026-03-05T10:00:00Z"}
    assert client.post("/v1/tracking", json=track, headers=_as("wh")).status_code == 403
    assert client.get("/v1/events", headers=_as("oms")).status_code == 403
    assert (
        client.post(
            "/v1/webhooks", json={"url": "http://127.0.0.1:9/x"}, headers=_as("ev")
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/v1/promise",
            json={"lines": [{"sku": "TEE", "qty": 1}], "destination": {"zip": "10001"}},
            headers=_as("oms"),
        ).status_code
        == 403
    )
    assert (
        client.post("/v1/orders", json=ORDER, headers=_as("root")).status_code == 201
    )  # admin: all


def test_webhook_urls_outside_the_allow_list_are_422(
    make_client: MakeClient, tmp_path: Path
) -> None:
    client = _client(make_client, tmp_path)
    far = client.post(
        "/v1/webhooks", json={"url": "https://example.com/hooks"}, headers=_as("root")
    )
    assert far.status_code == 422 and far.json()["error"]["field"] == "url"
    bad = client.post(
        "/v1/webhooks",
        json={"url": "http://127.0.0.1:9/x", "events": ["order.nope"]},
        headers=_as("root"),
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "events[0]"
    made = client.post(
        "/v1/webhooks",
        json={"url": "http://127.0.0.1:9/x", "events": ["order.*"]},
        headers=_as("root"),
    )
    assert made.status_code == 201 and made.json()["secret"].startswith("whsec_")
    listed = client.get("/v1/webhooks", headers=_as("root")).json()
    assert [w["webhook_id"] for w in listed] == [made.json()["webhook_id"]]
    assert listed[0].get("secret") is None  # shown once, when made
    wid = made.json()["webhook_id"]
    assert (
        client.get(f"/v1/webhooks/{wid}/deliveries", headers=_as("root")).json()["deliveries"] == []
    )
    assert client.delete(f"/v1/webhooks/{wid}", headers=_as("root")).status_code == 204
    assert client.delete(f"/v1/webhooks/{wid}", headers=_as("root")).status_code == 404


def test_import_creates_good_orders_and_names_rejected_rows(
    make_client: MakeClient, tmp_path: Path
) -> None:
    client = _client(make_client, tmp_path)
    text = (
        "order_id,sku,qty,promised_days,dest_zip,channel\n"
        "I1,TEE,1,5,10001,web\n"
        "I2,TEE,1,5,10001,store\n"
        "I2,MUG,0,5,10001,store\n"
        "I3,LAMP,1,5,89501,phone\n"
    )
    answer = client.post(
        "/v1/orders/import", files={"file": ("orders.csv", text)}, headers=_as("oms")
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["created"] == 2 and body["duplicates"] == 0
    assert body["rejected"] == [
        {"row": 3, "column": "qty", "message": body["rejected"][0]["message"]}
    ]
    assert client.get("/v1/orders/I2", headers=_as("oms")).status_code == 404  # nothing of it
    again = client.post(
        "/v1/orders/import", files={"file": ("orders.csv", text)}, headers=_as("oms")
    ).json()
    assert again["created"] == 0 and again["duplicates"] == 2


def test_promise_and_listing(make_client: MakeClient, tmp_path: Path) -> None:
    client = _client(make_client, tmp_path)
    options = client.post(
        "/v1/promise",
        json={"lines": [{"sku": "TEE", "qty": 1}], "destination": {"zip": "10001"}},
        headers=_as("router"),
    )
    assert options.status_code == 200 and options.json()["options"]
    for k in range(3):
        client.post(
            "/v1/orders",
            json={**ORDER, "order_id": f"L{k}", "allocation": "batch"},
            headers=_as("oms"),
        )
    page = client.get(
        "/v1/orders", params={"limit": 2, "status": "pending"}, headers=_as("oms")
    ).json()
    assert [o["order_id"] for o in page["orders"]] == ["L2", "L1"]
    rest = client.get(
        "/v1/orders", params={"cursor": page["next_cursor"]}, headers=_as("oms")
    ).json()
    assert [o["order_id"] for o in rest["orders"]] == ["L0"]
    assert client.get("/v1/orders", params={"cursor": "###"}, headers=_as("oms")).status_code == 422
    assert (
        client.get("/v1/orders", params={"status": "lost"}, headers=_as("oms")).status_code == 422
    )
