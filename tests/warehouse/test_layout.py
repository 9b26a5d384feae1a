"""Layouts: contract geometry and ids, node-link export, validation of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from dom.errors import InvalidInput
from warehouse_graph import load_layout

ROOT = Path(__file__).resolve().parents[2]
RECT = {
    "name": "t",
    "aisles": 5,
    "blocks": 2,
    "slots_per_block": 10,
    "slot_m": 1.0,
    "aisle_pitch_m": 3.0,
    "cross_aisle_m": 2.0,
    "depot": "front-left",
}


def test_rect_ids_and_geometry_follow_the_contract():
    """Slot s of block b on aisle a sits at x=(a-1)*pitch, y=c/2+(b-1)(L+c)+(s-0.5)*slot_m."""
    layout = load_layout(RECT)
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
    layout = load_layout({**RECT, "depot": depot})
    assert layout.graph.nodes[layout.depot]["x"] == x
    assert layout.graph.nodes[layout.depot]["y"] == 0.0


def test_export_is_node_link_json_with_locations_and_depot():
    """The export reloads with networkx and keeps edge lengths, locations and the depot."""
    layout = load_layout({**RECT, "depot": {"x": 4.5, "y": 0}})
    data = json.loads(json.dumps(layout.to_node_link()))
    graph = nx.node_link_graph(data, edges="edges")
    assert graph.number_of_edges() == layout.graph.number_of_edges()
    assert graph.edges["DEPOT", "X02-C0"]["length"] == 1.5
    assert data["depot"] == "DEPOT"
    assert data["locations"]["A05-B2-S10"] == "A05-B2-S10"


def test_sample_layouts_load():
    """Every sample layout under data/layouts loads."""
    paths = sorted((ROOT / "data" / "layouts").glob("*.json"))
    assert len(paths) >= 5
    for path in paths:
        assert load_layout(path).num_locations > 0


def test_ten_thousand_locations_load():
    """A 50-aisle, 2-block, 99-slot warehouse (9,900 locations) loads with its tables."""
    layout = load_layout({**RECT, "aisles": 50, "slots_per_block": 99, "blocks": 2})
    assert layout.num_locations == 50 * 2 * 99
    assert layout.distance("A01-B1-S01", "A50-B2-S99") == pytest.approx(147.0 + 199.0)


GRAPH = {
    "nodes": [
        {"id": "d", "x": 0, "y": 0},
        {"id": "a", "x": 3, "y": 4},
        {"id": "b", "x": 3, "y": 0},
    ],
    "edges": [{"u": "d", "v": "a"}, {"u": "a", "v": "b"}],
    "locations": {"L1": "a", "L2": "b"},
    "depot": "d",
}


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ({**RECT, "aisles": 0}, "column 'aisles'.*>= 1"),
        ({k: v for k, v in RECT.items() if k != "slot_m"}, "column 'slot_m'.*missing"),
        ({**RECT, "depot": {"x": 3, "y": 2}}, "depot .* off the front cross aisle"),
        ({**RECT, "depot": {"x": 99, "y": 0}}, "depot .* off the front cross aisle"),
        ({**RECT, "depot": "back"}, "unknown depot 'back'"),
        ({"name": "x"}, "neither 'aisles'"),
        ({**GRAPH, "depot": "zz"}, "depot 'zz' is not a node"),
        ({**GRAPH, "locations": {"L1": "q"}}, "location 'L1' sits on unknown node 'q'"),
        ({**GRAPH, "edges": [{"u": "d", "v": "a"}]}, "disconnected: node 'b'"),
        ({**GRAPH, "edges": [{"u": "d", "v": "x"}]}, "unknown node 'x'"),
    ],
)
def test_bad_layouts_are_rejected_naming_the_value(spec, match):
    """Each bad layout raises InvalidInput whose message names the offending value."""
    with pytest.raises(InvalidInput, match=match):
        load_layout(spec)


def test_bad_file_is_named(tmp_path):
    """A missing or non-JSON file is reported with its path."""
    with pytest.raises(InvalidInput, match="not found"):
        load_layout(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(InvalidInput, match=r"bad\.json: not valid JSON"):
        load_layout(bad)
