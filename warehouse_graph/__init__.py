"""Warehouse layouts, shortest distances, picking routes, pick lists and waves.

``load_layout`` or ``rect_layout`` gives a :class:`Layout`; ``pick_route`` walks a pick list on
it; ``build_pick_lists`` turns a plan's lines and a slotting into pick lists, and ``plan_waves``
batches them onto carts and routes every wave; ``draw_route`` pictures a route (matplotlib loads
on its first use). How each step works and how well: docs/picking.md.
"""

from __future__ import annotations

from typing import Any

from warehouse_graph.batching import SEEDS, Batching, Cart, batch_orders
from warehouse_graph.kits import Kits, kits_from_csr
from warehouse_graph.layout import Layout, load_layout, rect_layout
from warehouse_graph.picklists import NodeLines, PickLists, build_pick_lists, read_node_lines
from warehouse_graph.policies import POLICIES
from warehouse_graph.rect import RectSpec, location_id
from warehouse_graph.routing import METHODS, Route, pick_route
from warehouse_graph.slotting import (
    Slotting,
    load_slotting,
    make_slotting,
    sku_demand,
    write_slotting,
)
from warehouse_graph.waves import WavePlan, plan_waves, write_wave_plan

__all__ = [
    "METHODS",
    "POLICIES",
    "SEEDS",
    "Batching",
    "Cart",
    "Kits",
    "Layout",
    "NodeLines",
    "PickLists",
    "RectSpec",
    "Route",
    "Slotting",
    "WavePlan",
    "batch_orders",
    "build_pick_lists",
    "draw_route",
    "kits_from_csr",
    "load_layout",
    "load_slotting",
    "location_id",
    "make_slotting",
    "pick_route",
    "plan_waves",
    "read_node_lines",
    "rect_layout",
    "sku_demand",
    "write_slotting",
    "write_wave_plan",
]


def __getattr__(name: str) -> Any:
    if name == "draw_route":  # PEP 562: importing the package does not load matplotlib
        from warehouse_graph.pictures import draw_route

        return draw_route
    raise AttributeError(f"module 'warehouse_graph' has no attribute {name!r}")
