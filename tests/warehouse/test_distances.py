"""Distance tables equal Dijkstra on the exported graph; paths are walks of that length."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from warehouse_graph import load_layout, rect_layout

layouts = st.builds(
    lambda aisles, blocks, slots, cross, depot: rect_layout(
        aisles=aisles,
        blocks=blocks,
        slots_per_block=slots,
        aisle_pitch_m=2.5,
        cross_aisle_m=cross,
        depot=depot if depot != "point" else {"x": 2.5 * (aisles - 1) * 0.4, "y": 0},
    ),
    st.integers(1, 6),
    st.integers(1, 4),
    st.integers(1, 6),
    st.sampled_from([0.0, 2.0]),
    st.sampled_from(["front-left", "front-centre", "point"]),
)


def _walk_length(graph: nx.Graph, path: list) -> float:
    return sum(graph.edges[u, v]["length"] for u, v in itertools.pairwise(path) if u != v)


@settings(max_examples=40, deadline=None)
@given(layout=layouts, seed=st.integers(0, 10_000))
def test_rect_distances_equal_dijkstra(layout, seed):
    """Closed-form rectangular distances and legs equal networkx Dijkstra on the graph."""
    rng = np.random.default_rng(seed)
    locs = list(rng.choice(layout.location_ids, min(6, layout.num_locations), replace=False))
    d = layout.distance_matrix(locs)
    nodes = [layout.depot, *locs]
    for i, u in enumerate(nodes):
        lengths = nx.single_source_dijkstra_path_length(layout.graph, u, weight="length")
        assert np.allclose(d[i], [lengths[v] for v in nodes])
    rows = np.concatenate(([0], layout.indices(locs) + 1, [0]))  # table rows: 0 depot, 1 + i
    path = layout.distances.path(rows)
    assert path[0] == path[-1] == layout.depot
    walk = [0, *range(1, len(nodes)), 0]
    assert np.isclose(_walk_length(layout.graph, path), d[walk[:-1], walk[1:]].sum())


def test_general_distances_and_paths_avoid_the_obstacle():
    """On the sample floor the table equals Dijkstra and legs follow graph edges."""
    layout = load_layout("data/layouts/floor-with-obstacle.json")
    locs = layout.location_ids[::3]
    d = layout.distance_matrix(locs)
    nodes = [layout.depot] + [layout.location_nodes[i] for i in layout.indices(locs)]
    for i, u in enumerate(nodes):
        lengths = nx.single_source_dijkstra_path_length(layout.graph, u, weight="length")
        assert np.allclose(d[i], [lengths[v] for v in nodes])
    path = layout.distances.path(np.concatenate(([0], layout.indices(locs) + 1, [0])))
    walk = [0, *range(1, len(nodes)), 0]
    assert np.isclose(_walk_length(layout.graph, path), d[walk[:-1], walk[1:]].sum())


def test_distance_is_symmetric_lookup():
    """layout.distance agrees with the matrix in both directions."""
    layout = load_layout("data/layouts/two-block.json")
    a, b = "A02-B1-S05", "A02-B1-S17"
    assert layout.distance(a, b) == layout.distance(b, a) == 12.0
