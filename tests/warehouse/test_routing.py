"""pick_route: the §5 JSON, length along shortest paths of the export, bad pick lists."""

from __future__ import annotations

import itertools
import json

import networkx as nx
import numpy as np
import pytest

from dom.errors import InvalidInput, UnknownLocation
from warehouse_graph import METHODS, Route, load_layout, pick_route
from warehouse_graph.exact import held_karp

LAYOUTS = ["one-block", "two-block", "three-block", "four-block", "floor-with-obstacle"]


@pytest.mark.parametrize("name", LAYOUTS)
def test_route_json_recomputes_from_the_export(name):
    """length_m equals the sum of shortest paths of the exported graph; path walks it."""
    layout = load_layout(f"data/layouts/{name}.json")
    export = json.loads(json.dumps(layout.to_node_link()))
    graph = nx.node_link_graph(export, edges="edges")
    locs = list(np.random.default_rng(4).choice(layout.location_ids, 9, replace=False))
    methods = METHODS if layout.rect is not None else ("optimal", "best")
    for method in methods:
        out = json.loads(json.dumps(pick_route(layout, locs, method).to_json()))
        assert set(out) == {"method", "length_m", "stops", "path", "proven_optimal", "solve_ms"}
        nodes = [export["depot"], *(export["locations"][s] for s in out["stops"]), export["depot"]]
        walk = sum(
            nx.shortest_path_length(graph, u, v, weight="length")
            for u, v in itertools.pairwise(nodes)
        )
        assert out["length_m"] == pytest.approx(walk)
        steps = [(u, v) for u, v in itertools.pairwise(out["path"]) if u != v]
        assert sum(graph.edges[u, v]["length"] for u, v in steps) == pytest.approx(walk)
        assert out["path"][0] == out["path"][-1] == export["depot"]


def test_best_on_a_general_layout_matches_held_karp():
    """On the obstacle floor best equals the Held–Karp optimum (exact up to 12 picks)."""
    layout = load_layout("data/layouts/floor-with-obstacle.json")
    rng = np.random.default_rng(8)
    for n in (1, 2, 5, 12):
        locs = list(rng.choice(layout.location_ids, n, replace=False))
        route = pick_route(layout, locs, "best")
        assert route.proven_optimal
        assert route.length_m == pytest.approx(held_karp(layout.distance_matrix(locs))[1])


def test_best_local_search_is_near_held_karp_beyond_exact_size():
    """With 16 picks (local search) best is within 1% of Held–Karp; optimal proves it."""
    layout = load_layout("data/layouts/floor-with-obstacle.json")
    locs = list(np.random.default_rng(3).choice(layout.location_ids, 16, replace=False))
    best = pick_route(layout, locs, "best")
    optimal = pick_route(layout, locs, "optimal")
    assert optimal.proven_optimal
    assert best.length_m <= optimal.length_m * 1.01


def test_route_is_frozen():
    """A Route cannot be changed after it is made."""
    route = pick_route(load_layout("data/layouts/one-block.json"), ["A01-B1-S01"])
    assert isinstance(route, Route)
    with pytest.raises(AttributeError):
        route.length_m = 0.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("locations", "error", "match"),
    [
        ([], InvalidInput, "pick list is empty"),
        (["A01-B1-S01", "A01-B1-S01"], InvalidInput, "'A01-B1-S01' appears twice"),
        (["A01-B1-S01", "A77-B1-S01"], UnknownLocation, "unknown location 'A77-B1-S01'"),
    ],
)
def test_bad_pick_lists_name_the_value(locations, error, match):
    """Empty, duplicated and unknown pick lists raise with the offending value named."""
    layout = load_layout("data/layouts/one-block.json")
    with pytest.raises(error, match=match):
        pick_route(layout, locations)


def test_bad_method_and_time_limit():
    """An unknown method or a non-positive time limit is refused by name."""
    layout = load_layout("data/layouts/one-block.json")
    with pytest.raises(InvalidInput, match="unknown method 'fastest'"):
        pick_route(layout, ["A01-B1-S01"], "fastest")
    with pytest.raises(InvalidInput, match="time_limit 0"):
        pick_route(layout, ["A01-B1-S01"], time_limit=0)
