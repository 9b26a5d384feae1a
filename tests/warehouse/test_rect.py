"""Rectangular layouts: contract ids and geometry, depot positions, the layout.json form."""

from __future__ import annotations

import pytest

from warehouse_graph import RectSpec, load_layout, location_id, rect_layout


def test_rect_ids_and_geometry_follow_the_contract():
    """Slot s of block b on aisle a sits at x=(a-1)*pitch, y=c/2+(b-1)(L+c)+(s-0.5)*slot_m."""
    layout = rect_layout(aisles=5, blocks=2, slots_per_block=10, name="t")
    assert layout.num_locations == 5 * 2 * 10
    node = layout.graph.nodes["A03-B2-S05"]
    assert (node["x"], node["y"]) == (6.0, 1.0 + 12.0 + 4.5)
    assert layout.location_ids[0] == "A01-B1-S01"
    assert (layout.graph.nodes[layout.depot]["x"], layout.graph.nodes[layout.depot]["y"]) == (0, 0)


@pytest.mark.parametrize(
    ("depot", "x"), [("front-left", 0.0), ("front-centre", 6.0), ({"x": 4.5, "y": 0}, 4.5)]
)
def test_depot_positions(depot, x):
    """front-left is (0,0), front-centre is aisle ceil(n/2) on the front, a point is kept."""
    layout = rect_layout(aisles=5, blocks=2, slots_per_block=10, depot=depot, name="t")
    assert layout.graph.nodes[layout.depot]["x"] == x
    assert layout.graph.nodes[layout.depot]["y"] == 0.0


def test_location_ids_are_two_digit_aisles_and_slots():
    """location_id writes the contract's A{aisle:02d}-B{block}-S{slot:02d}."""
    assert location_id(3, 2, 5) == "A03-B2-S05"
    assert location_id(12, 1, 20) == "A12-B1-S20"


@pytest.mark.parametrize("depot", ["front-left", "front-centre", {"x": 4.5, "y": 0.0}])
def test_spec_reloads_to_the_same_layout(depot):
    """to_spec is the layout.json object: loading it gives the same graph and depot."""
    layout = rect_layout(aisles=5, blocks=3, slots_per_block=4, depot=depot, name="t")
    spec = layout.to_spec()
    assert isinstance(layout.rect, RectSpec)
    assert spec["depot"] == depot
    again = load_layout(spec)
    assert again.to_node_link() == layout.to_node_link()
    assert again.rect == layout.rect


def test_front_center_is_front_centre():
    """The American spelling names the same depot and is written the contract's way."""
    layout = rect_layout(aisles=5, depot="front-center")
    assert layout.depot == "X03-C0"
    assert layout.to_spec()["depot"] == "front-centre"
