"""API keys and scopes, loopback-only without keys, request size limits."""

from __future__ import annotations

import logging

import pytest

from api.settings import Settings
from dom.errors import InvalidInput
from tests.api.conftest import ORDER, MakeClient

KEYS = "k-route:route;k-plan:plan;k-admin:admin"


@pytest.mark.parametrize(
    ("key", "method", "path", "status"),
    [
        (None, "post", "/v1/route", 401),
        ("wrong", "post", "/v1/route", 401),
        ("k-plan", "post", "/v1/route", 403),
        ("k-route", "post", "/v1/route", 200),
        ("k-admin", "post", "/v1/route", 200),
        ("k-route", "put", "/v1/inventory", 403),
        ("k-admin", "put", "/v1/inventory", 200),
        ("k-route", "get", "/v1/alerts/restock", 403),
        ("k-plan", "get", "/v1/alerts/restock", 200),
    ],
)
def test_keys_and_scopes(
    make_client: MakeClient, key: str | None, method: str, path: str, status: int
) -> None:
    """Missing or unknown keys are 401, a key without the scope 403; admin may do anything."""
    client = make_client(api_keys=KEYS, client=("203.0.113.9", 4000))
    body: object = ORDER if path == "/v1/route" else [{"fc_id": "EWR", "sku": "TEE", "on_hand": 9}]
    headers = {"X-API-Key": key} if key else {}
    kwargs = {"json": body} if method != "get" else {}
    answer = client.request(method.upper(), path, headers=headers, **kwargs)
    assert answer.status_code == status
    if status >= 400:
        assert answer.json()["error"]["code"] in ("unauthorized", "forbidden")


def test_without_keys_only_loopback_is_served(make_client: MakeClient) -> None:
    """Without DOM_API_KEYS a remote client gets 403 and a loopback one is served."""
    remote = make_client(client=("203.0.113.9", 4000))
    assert remote.post("/v1/route", json=ORDER).status_code == 403
    assert remote.get("/metrics").status_code == 403
    local = make_client(client=("::1", 4000))
    assert local.post("/v1/route", json=ORDER).status_code == 200


def test_keys_and_addresses_never_logged(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Neither an API key nor an order's destination appears in any log record."""
    caplog.set_level(logging.DEBUG)
    client = make_client(api_keys=KEYS)
    order = dict(ORDER, destination={"zip": "89501"})
    client.post("/v1/route", json=order, headers={"X-API-Key": "k-route"})
    client.post("/v1/route", json=order, headers={"X-API-Key": "k-secret-guess"})
    client.post("/v1/route", json=dict(order, lines=[]), headers={"X-API-Key": "k-route"})
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "k-route" not in text and "k-secret-guess" not in text and "89501" not in text


def test_bad_key_configuration_names_the_entry() -> None:
    """A malformed DOM_API_KEYS fails with the entry's position, never echoing the key."""
    with pytest.raises(InvalidInput, match=r"entry 2 .*unknown scope 'root'") as err:
        Settings(network_dir="x", api_keys="good:route;sekrit:root")  # type: ignore[arg-type]
    assert "sekrit" not in str(err.value)


def test_oversized_body_is_413(make_client: MakeClient) -> None:
    """A body over the limit is 413, by Content-Length or counted while streaming."""
    client = make_client(max_body_bytes=2000)
    big = dict(ORDER, lines=[{"sku": "TEE", "qty": 1}] * 200)
    answer = client.post("/v1/route", json=big)
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "payload_too_large"

    def chunks():
        for _ in range(10):
            yield b" " * 500

    streamed = client.post(
        "/v1/route", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
