"""Warehouse layouts: rectangular multi-block warehouses and general graph floors (contracts §5).

A rectangular layout is the classic parallel-aisle warehouse of Roodbergen & de Koster (2001),
"Routing methods for warehouses with multiple cross aisles", Int. J. Prod. Res. 39(9), §2: aisles
run front to back, cross aisles run at the front, between blocks and at the back, and pickers walk
the centre lines. Both faces of an aisle at the same slot are one point. A general layout is any
connected graph with Euclidean edge lengths (irregular floors, obstacles).

Either form becomes one networkx graph (edge attribute ``length``, node attributes ``x, y``) plus
the dense location index the router works on; distances come from :mod:`warehouse_graph.distances`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from dom.errors import InvalidInput, UnknownLocation
from warehouse_graph.distances import GraphDistances, RectDistances

_RECT_FIELDS = ("aisles", "blocks", "slots_per_block", "slot_m", "aisle_pitch_m", "cross_aisle_m")
_DEPOT_NODE = "DEPOT"


def location_id(aisle: int, block: int, slot: int) -> str:
    """The contract's id of slot ``slot`` of block ``block`` on aisle ``aisle`` (all 1-based)."""
    return f"A{aisle:02d}-B{block}-S{slot:02d}"


def cross_node_id(aisle: int, cross: int) -> str:
    """Node id where aisle ``aisle`` meets cross aisle ``cross`` (0 = front)."""
    return f"X{aisle:02d}-C{cross}"


@dataclass(frozen=True)
class RectSpec:
    """Dimensions of a rectangular layout, validated (contracts §5)."""

    aisles: int
    blocks: int
    slots_per_block: int
    slot_m: float
    aisle_pitch_m: float
    cross_aisle_m: float
    depot_x: float

    @property
    def block_m(self) -> float:
        """Distance between the centre lines of two neighbouring cross aisles (L + c)."""
        return self.slots_per_block * self.slot_m + self.cross_aisle_m

    def aisle_x(self, aisle: int) -> float:
        """x of aisle ``aisle`` (1-based)."""
        return (aisle - 1) * self.aisle_pitch_m

    def slot_y(self, block: int, slot: int) -> float:
        """y of slot ``slot`` of block ``block`` (1-based)."""
        c = self.cross_aisle_m
        return c / 2 + (block - 1) * self.block_m + (slot - 0.5) * self.slot_m


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
            self.distances = RectDistances.build(rect, self)
        else:
            self.distances = GraphDistances.build(self)

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
    width = (aisles - 1) * pitch
    depot = spec.get("depot", "front-left")
    if depot == "front-left":
        depot_x = 0.0
    elif depot in ("front-centre", "front-center"):
        depot_x = (math.ceil(aisles / 2) - 1) * pitch
    elif isinstance(depot, dict) and set(depot) == {"x", "y"}:
        x, y = depot["x"], depot["y"]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (x, y)):
            raise InvalidInput(f"depot {depot!r} needs numeric x and y", file=where, column="depot")
        if abs(y) > 1e-9 or not -1e-9 <= x <= width + 1e-9:
            raise InvalidInput(
                f"depot {depot!r} is off the front cross aisle",
                file=where,
                column="depot",
                fix=f"use y = 0 and 0 <= x <= {width:g}",
            )
        depot_x = float(min(max(x, 0.0), width))
    else:
        raise InvalidInput(
            f"unknown depot {depot!r}",
            file=where,
            column="depot",
            fix='use "front-left", "front-centre" or {"x": .., "y": 0}',
        )
    return RectSpec(aisles, blocks, slots, float(slot_m), float(pitch), float(cross), depot_x)


def _load_rect_layout(name: str, spec: Mapping[str, Any], where: str) -> Layout:
    rect = _rect_spec(spec, where)
    graph = nx.Graph()
    locations: dict[str, str] = {}
    block_m = rect.block_m
    for a in range(1, rect.aisles + 1):
        x = rect.aisle_x(a)
        chain = [cross_node_id(a, 0)]
        graph.add_node(chain[0], x=x, y=0.0)
        for b in range(1, rect.blocks + 1):
            for s in range(1, rect.slots_per_block + 1):
                loc = location_id(a, b, s)
                graph.add_node(loc, x=x, y=rect.slot_y(b, s))
                locations[loc] = loc
                chain.append(loc)
            top = cross_node_id(a, b)
            graph.add_node(top, x=x, y=b * block_m)
            chain.append(top)
        ys = [graph.nodes[n]["y"] for n in chain]
        graph.add_edges_from(
            (u, v, {"length": y1 - y0})
            for u, v, y0, y1 in zip(chain, chain[1:], ys, ys[1:], strict=False)
        )
    depot: str = cross_node_id(1, 0)
    on_aisle = [a for a in range(1, rect.aisles + 1) if abs(rect.aisle_x(a) - rect.depot_x) < 1e-9]
    for k in range(rect.blocks + 1):
        row = [cross_node_id(a, k) for a in range(1, rect.aisles + 1)]
        if k == 0 and on_aisle:
            depot = row[on_aisle[0] - 1]
        elif k == 0:
            a = int(rect.depot_x // rect.aisle_pitch_m) + 1
            graph.add_node(_DEPOT_NODE, x=rect.depot_x, y=0.0)
            row.insert(a, _DEPOT_NODE)
            depot = _DEPOT_NODE
        xs = [graph.nodes[n]["x"] for n in row]
        graph.add_edges_from(
            (u, v, {"length": x1 - x0})
            for u, v, x0, x1 in zip(row, row[1:], xs, xs[1:], strict=False)
        )
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
