"""POST /v1/pick-routes: stored and inline layouts, contracts §5 JSON."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import WAREHOUSES
from warehouse_graph import load_layout, pick_route, rect_layout

LAYOUT = rect_layout(aisles=6, blocks=1, slots_per_block=10, name="demo").to_spec()
PICKS = ["A01-B1-S03", "A05-B1-S09", "A03-B1-S01"]


def test_inline_layout_matches_the_library(client: TestClient) -> None:
    """The endpoint's walk is the library's walk for the same layout, picks and method."""
    body = client.post(
        "/v1/pick-routes", json={"layout": LAYOUT, "locations": PICKS, "method": "optimal"}
    ).json()
    expected = pick_route(load_layout(LAYOUT), PICKS, "optimal").to_json()
    assert body["length_m"] == expected["length_m"]
    assert sorted(body["stops"]) == sorted(PICKS)
    assert body["proven_optimal"] is True


def test_stored_warehouse(client: TestClient) -> None:
    """A warehouse_id names data/warehouses/<id>/layout.json; unknown ids are 404."""
    picks = ["A01-B1-S03", "A04-B2-S10"]
    body = client.post("/v1/pick-routes", json={"warehouse_id": "FC-ATL", "locations": picks})
    expected = pick_route(load_layout(WAREHOUSES / "FC-ATL" / "layout.json"), picks).to_json()
    assert body.json()["length_m"] == expected["length_m"]
    missing = client.post("/v1/pick-routes", json={"warehouse_id": "../etc", "locations": picks})
    assert missing.status_code == 404


def test_bad_pick_requests_are_422(client: TestClient) -> None:
    """Unknown locations, both or neither layout source, oversized layouts: 422 with a field."""
    unknown = client.post("/v1/pick-routes", json={"layout": LAYOUT, "locations": ["Z99"]})
    assert unknown.status_code == 422
    both = client.post(
        "/v1/pick-routes", json={"layout": LAYOUT, "warehouse_id": "FC-ATL", "locations": PICKS}
    )
    assert both.json()["error"]["field"] == "layout"
    huge = dict(LAYOUT, aisles=10_000, slots_per_block=1000)
    assert (
        client.post("/v1/pick-routes", json={"layout": huge, "locations": PICKS}).status_code == 422
    )
    broken = client.post("/v1/pick-routes", json={"layout": {"aisles": -1}, "locations": PICKS})
    assert broken.status_code == 422
    assert broken.json()["error"]["field"].startswith("layout")
