"""Warehouse layouts: rectangular multi-block warehouses and general graph floors (contracts §5).

Either form becomes one networkx graph (edge ``length``, node ``x, y``) plus the dense location
index and distance tables the router works on, built once: every route of a layout reuses them
(docs/picking.md#layouts).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from dom.errors import InvalidInput, UnknownLocation
from warehouse_graph.distances import GraphDistances, RectDistances
from warehouse_graph.rect import NAMED_DEPOTS, RectSpec, rect_graph


class Layout:
    """A validated warehouse: graph, depot, location ids and distance tables built once.

    ``graph`` is the walkable network (edge attribute ``length`` in metres, nodes carry ``x, y``);
    ``location_ids[i]`` sits on node ``location_nodes[i]``; ``depot`` is a node id. ``rect`` holds
    the dimensions when the layout is rectangular (the exact aisle DP and policies need them).
    """

    def __init__(
        self,
        name: str,
        graph: nx.Graph,
        depot: Hashable,
        locations: Mapping[str, Hashable],
        rect: RectSpec | None = None,
    ) -> None:
        self.name = name
        self.graph = graph
        self.depot = depot
        self.location_ids: list[str] = list(locations)
        self.location_nodes: list[Hashable] = list(locations.values())
        self.rect = rect
        self._index = {loc: i for i, loc in enumerate(self.location_ids)}
        self.distances: RectDistances | GraphDistances
        if rect is not None:
            self.distances = RectDistances.build(rect, graph, depot, self.location_nodes)
        else:
            self.distances = GraphDistances.build(graph, depot, self.location_nodes)

    def __repr__(self) -> str:
        kind = f"{self.rect.aisles}x{self.rect.blocks} rectangular" if self.rect else "graph"
        return f"Layout({self.name!r}, {kind}, {len(self.location_ids)} locations)"

    @property
    def num_locations(self) -> int:
        """Number of pickable locations."""
        return len(self.location_ids)

    def indices(self, locations: Sequence[str]) -> np.ndarray:
        """Dense indices of ``locations``; raises UnknownLocation naming the first unknown id."""
        try:
            return np.fromiter((self._index[loc] for loc in locations), np.int64, len(locations))
        except KeyError as exc:
            loc = exc.args[0]
            raise UnknownLocation(
                f"unknown location {loc!r} in layout {self.name!r}",
                column="locations",
                fix=f"use ids like {self.location_ids[0]!r} (see `dom warehouse export`)",
            ) from None

    def distance(self, a_loc: str, b_loc: str) -> float:
        """Shortest walking distance in metres between two locations."""
        i, j = self.indices([a_loc, b_loc])
        return float(self.distances.matrix(np.array([i, j]))[1, 2])

    def distance_matrix(self, locations: Sequence[str]) -> np.ndarray:
        """Shortest distances ``d[p, q]``, p and q over (depot, *locations), in metres."""
        return self.distances.matrix(self.indices(locations))

    def to_node_link(self) -> dict[str, Any]:
        """The graph as networkx node-link JSON plus ``locations`` and ``depot`` (contracts §5)."""
        data: dict[str, Any] = nx.node_link_data(self.graph, edges="edges")
        data["name"] = self.name
        data["locations"] = dict(zip(self.location_ids, self.location_nodes, strict=True))
        data["depot"] = self.depot
        return data

    def to_spec(self) -> dict[str, Any]:
        """The layout as its ``layout.json`` object (contracts §5): ``load_layout`` of it gives
        the same layout."""
        if self.rect is not None:
            return self.rect.to_spec(self.name)
        nodes = self.graph.nodes
        return {
            "name": self.name,
            "nodes": [{"id": n, "x": nodes[n]["x"], "y": nodes[n]["y"]} for n in self.graph],
            "edges": [{"u": u, "v": v} for u, v in self.graph.edges],
            "locations": dict(zip(self.location_ids, self.location_nodes, strict=True)),
            "depot": self.depot,
        }


def rect_layout(
    *,
    aisles: int = 12,
    blocks: int = 2,
    slots_per_block: int = 20,
    slot_m: float = 1.0,
    aisle_pitch_m: float = 3.0,
    cross_aisle_m: float = 2.0,
    depot: str | Mapping[str, float] = "front-left",
    name: str = "layout",
) -> Layout:
    """A rectangular layout, validated as ``load_layout`` validates its JSON (contracts §5;
    the defaults are the contract's example)."""
    spec = {
        "name": name,
        "aisles": aisles,
        "blocks": blocks,
        "slots_per_block": slots_per_block,
        "slot_m": slot_m,
        "aisle_pitch_m": aisle_pitch_m,
        "cross_aisle_m": cross_aisle_m,
        "depot": dict(depot) if isinstance(depot, Mapping) else depot,
    }
    return load_layout(spec)


def load_layout(source: str | Path | dict[str, Any]) -> Layout:
    """Load and validate a layout from a JSON file path or an already parsed dict."""
    if isinstance(source, dict):
        where, spec = "layout", source
    else:
        where = str(source)
        try:
            spec = json.loads(Path(source).read_text())
        except FileNotFoundError:
            raise InvalidInput("layout file not found", file=where) from None
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"not valid JSON: {exc}", file=where) from None
    if not isinstance(spec, dict):
        raise InvalidInput("a layout must be a JSON object", file=where)
    name = str(spec.get("name", Path(where).stem if where != "layout" else "layout"))
    if "nodes" in spec or "edges" in spec:
        return _load_graph_layout(name, spec, where)
    if "aisles" in spec:
        return _load_rect_layout(name, spec, where)
    raise InvalidInput(
        "layout has neither 'aisles' (rectangular) nor 'nodes'/'edges' (general graph)",
        file=where,
        fix="see contracts §5 for the two layout forms",
    )


def _number(spec: Mapping[str, Any], field: str, where: str, *, integer: bool, low: float) -> Any:
    if field not in spec:
        raise InvalidInput("missing field", file=where, column=field)
    value = spec[field]
    ok_type = isinstance(value, int) if integer else isinstance(value, int | float)
    if isinstance(value, bool) or not ok_type or not math.isfinite(value) or value < low:
        kind = "an integer" if integer else "a number"
        raise InvalidInput(f"{value!r} must be {kind} >= {low:g}", file=where, column=field)
    return value


def _rect_spec(spec: Mapping[str, Any], where: str) -> RectSpec:
    aisles = _number(spec, "aisles", where, integer=True, low=1)
    blocks = _number(spec, "blocks", where, integer=True, low=1)
    slots = _number(spec, "slots_per_block", where, integer=True, low=1)
    slot_m = _number(spec, "slot_m", where, integer=False, low=0)
    pitch = _number(spec, "aisle_pitch_m", where, integer=False, low=0)
    cross = _number(spec, "cross_aisle_m", where, integer=False, low=0)
    if slot_m <= 0 or (aisles > 1 and pitch <= 0):
        raise InvalidInput("slot_m and aisle_pitch_m must be > 0", file=where, column="slot_m")
    if slots > 99 or aisles > 99:
        raise InvalidInput(
            "at most 99 aisles and 99 slots per block fit the two-digit location ids",
            file=where,
            column="aisles" if aisles > 99 else "slots_per_block",
        )
    depot = spec.get("depot", "front-left")
    depot = "front-centre" if depot == "front-center" else depot
    rect = RectSpec(aisles, blocks, slots, float(slot_m), float(pitch), float(cross), 0.0)
    if depot in NAMED_DEPOTS:
        return dataclasses.replace(rect, depot_x=rect.named_depot_x(depot), depot=depot)
    return dataclasses.replace(rect, depot_x=_depot_point(depot, rect, where))


def _depot_point(depot: Any, rect: RectSpec, where: str) -> float:
    """x of a depot given as a point ``{"x": .., "y": 0}`` on the front cross aisle."""
    if not (isinstance(depot, dict) and set(depot) == {"x", "y"}):
        raise InvalidInput(
            f"unknown depot {depot!r}",
            file=where,
            column="depot",
            fix='use "front-left", "front-centre" or {"x": .., "y": 0}',
        )
    x, y = depot["x"], depot["y"]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (x, y)):
        raise InvalidInput(f"depot {depot!r} needs numeric x and y", file=where, column="depot")
    width = rect.aisle_x(rect.aisles)
    if abs(y) > 1e-9 or not -1e-9 <= x <= width + 1e-9:
        raise InvalidInput(
            f"depot {depot!r} is off the front cross aisle",
            file=where,
            column="depot",
            fix=f"use y = 0 and 0 <= x <= {width:g}",
        )
    return float(min(max(x, 0.0), width))


def _load_rect_layout(name: str, spec: Mapping[str, Any], where: str) -> Layout:
    rect = _rect_spec(spec, where)
    graph, depot, locations = rect_graph(rect)
    return Layout(name, graph, depot, locations, rect)


def _load_graph_layout(name: str, spec: Mapping[str, Any], where: str) -> Layout:
    for field in ("nodes", "edges", "locations", "depot"):
        if field not in spec:
            raise InvalidInput("missing field of a general layout", file=where, column=field)
    graph = nx.Graph()
    for i, node in enumerate(spec["nodes"]):
        if not isinstance(node, dict) or not {"id", "x", "y"} <= set(node):
            raise InvalidInput(f"nodes[{i}] needs id, x and y", file=where, column=f"nodes[{i}]")
        x, y = node["x"], node["y"]
        if not all(isinstance(v, int | float) and math.isfinite(v) for v in (x, y)):
            raise InvalidInput(
                f"node {node['id']!r} has non-numeric x/y", file=where, column=f"nodes[{i}]"
            )
        if node["id"] in graph:
            raise InvalidInput(
                f"duplicate node id {node['id']!r}", file=where, column=f"nodes[{i}]"
            )
        graph.add_node(node["id"], x=float(x), y=float(y))
    for i, edge in enumerate(spec["edges"]):
        if not isinstance(edge, dict) or not {"u", "v"} <= set(edge):
            raise InvalidInput(f"edges[{i}] needs u and v", file=where, column=f"edges[{i}]")
        u, v = edge["u"], edge["v"]
        for end in (u, v):
            if end not in graph:
                raise InvalidInput(
                    f"edge ({u!r}, {v!r}) names unknown node {end!r}",
                    file=where,
                    column=f"edges[{i}]",
                )
        pu, pv = graph.nodes[u], graph.nodes[v]
        graph.add_edge(u, v, length=math.hypot(pu["x"] - pv["x"], pu["y"] - pv["y"]))
    depot = spec["depot"]
    if not isinstance(depot, Hashable) or depot not in graph:
        raise InvalidInput(
            f"depot {depot!r} is not a node of the graph", file=where, column="depot"
        )
    locations = spec["locations"]
    if not isinstance(locations, dict) or not locations:
        raise InvalidInput(
            "locations must be a non-empty object {location id: node id}",
            file=where,
            column="locations",
        )
    for loc, node in locations.items():
        if not isinstance(node, Hashable) or node not in graph:
            raise InvalidInput(
                f"location {loc!r} sits on unknown node {node!r}",
                file=where,
                column=f"locations.{loc}",
            )
    reached = nx.node_connected_component(graph, depot)
    if len(reached) < graph.number_of_nodes():
        stray = next(n for n in graph if n not in reached)
        raise InvalidInput(
            f"the graph is disconnected: node {stray!r} cannot be reached from depot {depot!r}",
            file=where,
            column="edges",
            fix="add edges so every node is reachable from the depot",
        )
    return Layout(name, graph, depot, {str(k): v for k, v in locations.items()})
