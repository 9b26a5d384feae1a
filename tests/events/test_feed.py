"""The event feed: one event per change with increasing ids, filters, and Server-Sent Events
that resume from ``Last-Event-ID`` without missing any."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import ORDER, LiveServer


def _read_sse(http: httpx.Client, headers: dict[str, str], count: int) -> list[dict]:
    """The first ``count`` events of a stream, then the connection is dropped."""
    got: list[dict] = []
    with http.stream("GET", "/v1/events/stream", headers=headers, timeout=30) as stream:
        frame: dict[str, str] = {}
        for line in stream.iter_lines():
            if line.startswith("id: "):
                frame["id"] = line[4:]
            elif line.startswith("data: "):
                event = json.loads(line[6:])
                assert str(event["id"]) == frame["id"]
                got.append(event)
                if len(got) == count:
                    break
    return got


@pytest.mark.slow
def test_sse_resumes_from_last_event_id_without_a_gap(
    live_server: Callable[..., LiveServer], tmp_path: Path
) -> None:
    server = live_server({"DOM_DATA_DIR": str(tmp_path / "var")})
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for k in range(5):
            assert http.post("/v1/orders", json={**ORDER, "order_id": f"S{k}"}).status_code == 201
        first = _read_sse(http, {}, 4)  # disconnects mid-feed
        for k in range(5, 8):
            http.post("/v1/orders", json={**ORDER, "order_id": f"S{k}"})
            http.post(f"/v1/orders/S{k}/cancel")
        everything = http.get("/v1/events", params={"limit": 1000}).json()["events"]
        rest = _read_sse(http, {"Last-Event-ID": str(first[-1]["id"])}, len(everything) - 4)
    assert [e["id"] for e in first + rest] == [e["id"] for e in everything]
    ids = [e["id"] for e in everything]
    assert ids == list(range(ids[0], ids[0] + len(ids)))  # increasing, none skipped
    # one event per change: created + allocated per order, cancelled (+ fulfillment.cancelled)
    types = [e["type"] for e in everything]
    assert types.count("order.created") == 8 and types.count("order.cancelled") == 3
    with httpx.Client(base_url=server.url, timeout=10) as http:
        only = http.get("/v1/events", params={"type": "order.*", "order_id": "S5"}).json()["events"]
        assert [e["type"] for e in only] == ["order.created", "order.allocated", "order.cancelled"]
        assert http.get("/v1/events", params={"type": "bogus"}).status_code == 422
        bad = http.get("/v1/events/stream", headers={"Last-Event-ID": "x"})
        assert bad.status_code == 422
