"""Layouts: the JSON loader and its validation, rect_layout, node-link export, the spec form."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from dom.errors import InvalidInput
from warehouse_graph import load_layout, rect_layout

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


def test_rect_layout_is_the_loaded_json():
    """rect_layout builds exactly what load_layout builds from the same JSON object."""
    built = rect_layout(aisles=5, blocks=2, slots_per_block=10, name="t")
    loaded = load_layout(RECT)
    assert built.to_node_link() == loaded.to_node_link()
    assert built.rect == loaded.rect
    assert built.to_spec() == RECT


def test_rect_layout_defaults_are_the_contract_example():
    """Without arguments: 12 aisles, 2 blocks, 20 slots, 1 m, 3 m, 2 m, depot front-left."""
    spec = rect_layout().to_spec()
    assert spec == {
        "name": "layout",
        "aisles": 12,
        "blocks": 2,
        "slots_per_block": 20,
        "slot_m": 1.0,
        "aisle_pitch_m": 3.0,
        "cross_aisle_m": 2.0,
        "depot": "front-left",
    }


def test_rect_layout_rejects_bad_values_like_the_loader():
    """A bad argument raises the loader's InvalidInput naming the field."""
    with pytest.raises(InvalidInput, match=r"column 'aisles'.*>= 1"):
        rect_layout(aisles=0)
    with pytest.raises(InvalidInput, match="unknown depot 'back'"):
        rect_layout(depot="back")


def test_export_is_node_link_json_with_locations_and_depot():
    """The export reloads with networkx and keeps edge lengths, locations and the depot."""
    layout = rect_layout(aisles=5, blocks=2, slots_per_block=10, depot={"x": 4.5, "y": 0})
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


def test_general_layout_spec_reloads_to_the_same_graph():
    """A general layout's to_spec is its JSON form: loading it gives the same export."""
    layout = load_layout(ROOT / "data" / "layouts" / "floor-with-obstacle.json")
    again = load_layout(json.loads(json.dumps(layout.to_spec())))
    assert again.to_node_link() == layout.to_node_link()


def test_ten_thousand_locations_load():
    """A 50-aisle, 2-block, 99-slot warehouse (9,900 locations) loads with its tables."""
    layout = rect_layout(aisles=50, blocks=2, slots_per_block=99)
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
