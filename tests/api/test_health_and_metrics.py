"""Health, readiness, metrics and the OpenAPI document."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import ORDER


def test_health_and_readiness(client: TestClient) -> None:
    """/healthz is always ok; /readyz reports the ledger reachable."""
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_metrics_count_latency_decisions_and_ledger_events(client: TestClient) -> None:
    """Latency per endpoint, decisions by outcome and ledger counters reach /metrics."""
    hold = client.post("/v1/route?reserve=true", json=ORDER).json()["reservation"]
    client.delete(f"/v1/reservations/{hold['id']}")
    client.post("/v1/route", json=dict(ORDER, lines=[{"sku": "RUG", "qty": 99}]))
    text = client.get("/metrics").text
    route_200 = '{endpoint="/v1/route",method="POST",status="200"}'
    assert f"dom_http_request_duration_seconds_count{route_200} 2.0" in text
    assert 'dom_route_decisions_total{outcome="filled",reserved="true"} 1.0' in text
    assert 'dom_route_decisions_total{outcome="unfilled",reserved="false"} 1.0' in text
    assert "dom_ledger_reservations_created_total 1.0" in text
    assert "dom_ledger_reservations_released_total 1.0" in text
    assert "dom_ledger_reservations_expired_total 0.0" in text
    assert "dom_ledger_up 1.0" in text
    assert "dom_restock_alerts " in text
    assert 'endpoint="unmatched"' not in text


def test_openapi_documents_every_call_with_examples(client: TestClient) -> None:
    """/openapi.json lists the calls of contracts §6, the key header and examples."""
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path, method in [
        ("/v1/route", "post"),
        ("/v1/reservations/{reservation_id}/commit", "post"),
        ("/v1/reservations/{reservation_id}", "delete"),
        ("/v1/fulfillments", "post"),
        ("/v1/availability", "get"),
        ("/v1/inventory", "put"),
        ("/v1/allocations", "post"),
        ("/v1/allocations/{job_id}", "get"),
        ("/v1/allocations/{job_id}/{name}", "get"),
        ("/v1/pick-routes", "post"),
        ("/v1/alerts/restock", "get"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
    ]:
        assert method in paths[path], (path, method)
    schemas = spec["components"]["schemas"]
    assert schemas["OrderIn"]["examples"][0]["order_id"]
    assert "AllocationRequest" in schemas
    assert spec["components"]["securitySchemes"]["APIKeyHeader"]["name"] == "X-API-Key"
    assert "422" in paths["/v1/route"]["post"]["responses"]
