"""The rectangular warehouse of contracts §5: its dimensions, location ids and aisle graph.

Parallel aisles with cross aisles at the front, between blocks and at the back, walked along their
centre lines (Roodbergen & de Koster 2001, IJPR 39(9), §2); docs/picking.md#layouts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import networkx as nx

DEPOT_NODE = "DEPOT"  # the depot's own node when it sits between two aisles
NAMED_DEPOTS = ("front-left", "front-centre")


def location_id(aisle: int, block: int, slot: int) -> str:
    """The contract's id of slot ``slot`` of block ``block`` on aisle ``aisle`` (all 1-based)."""
    return f"A{aisle:02d}-B{block}-S{slot:02d}"


def cross_node_id(aisle: int, cross: int) -> str:
    """Node id where aisle ``aisle`` meets cross aisle ``cross`` (0 = front)."""
    return f"X{aisle:02d}-C{cross}"


@dataclass(frozen=True)
class RectSpec:
    """Dimensions of a rectangular layout, validated (contracts §5).

    ``depot_x`` is where the depot sits on the front cross aisle; ``depot`` is its name in the
    layout file (one of ``NAMED_DEPOTS``), or None when it was given as a point.
    """

    aisles: int
    blocks: int
    slots_per_block: int
    slot_m: float
    aisle_pitch_m: float
    cross_aisle_m: float
    depot_x: float
    depot: str | None = None

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

    def named_depot_x(self, name: str) -> float:
        """x of a named depot: front-left is aisle 1, front-centre aisle ceil(aisles / 2)."""
        if name == "front-left":
            return 0.0
        return (math.ceil(self.aisles / 2) - 1) * self.aisle_pitch_m

    def to_spec(self, name: str) -> dict[str, Any]:
        """The layout file's object for these dimensions (contracts §5), named ``name``."""
        return {
            "name": name,
            "aisles": self.aisles,
            "blocks": self.blocks,
            "slots_per_block": self.slots_per_block,
            "slot_m": self.slot_m,
            "aisle_pitch_m": self.aisle_pitch_m,
            "cross_aisle_m": self.cross_aisle_m,
            "depot": self.depot if self.depot is not None else {"x": self.depot_x, "y": 0.0},
        }


def rect_graph(rect: RectSpec) -> tuple[nx.Graph, str, dict[str, str]]:
    """The walkable graph of ``rect`` (edge ``length``, node ``x, y``), its depot node and its
    locations (each location is its own node)."""
    graph = nx.Graph()
    locations: dict[str, str] = {}
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
            graph.add_node(top, x=x, y=b * rect.block_m)
            chain.append(top)
        _add_chain(graph, chain, "y")
    depot = cross_node_id(1, 0)
    on_aisle = [a for a in range(1, rect.aisles + 1) if abs(rect.aisle_x(a) - rect.depot_x) < 1e-9]
    for k in range(rect.blocks + 1):
        row = [cross_node_id(a, k) for a in range(1, rect.aisles + 1)]
        if k == 0 and on_aisle:
            depot = row[on_aisle[0] - 1]
        elif k == 0:
            a = int(rect.depot_x // rect.aisle_pitch_m) + 1
            graph.add_node(DEPOT_NODE, x=rect.depot_x, y=0.0)
            row.insert(a, DEPOT_NODE)
            depot = DEPOT_NODE
        _add_chain(graph, row, "x")
    return graph, depot, locations


def _add_chain(graph: nx.Graph, chain: list[str], axis: str) -> None:
    """Join consecutive nodes of ``chain`` (sorted along ``axis``) by edges of their distance."""
    at = [graph.nodes[n][axis] for n in chain]
    graph.add_edges_from(
        (u, v, {"length": p1 - p0})
        for u, v, p0, p1 in zip(chain, chain[1:], at, at[1:], strict=False)
    )
